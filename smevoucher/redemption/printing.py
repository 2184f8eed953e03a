"""The generated forms of R13: 服务券兑现申请表 (PDF) and 服务券使用情况明细汇总表 (XLSX and PDF), filled from the
application's data, with totals in figures and in Chinese capitals, a place for the seal and the signature, page
numbers, the generation time and the verification code a unit can look up.

Rows come from one function (`summary_rows`); the renderers only lay them out. Forms are generated on request;
a very large application could move this into a task that stores the file through `documents` (not needed at
the sizes seen so far: a few hundred lines render in well under a second per page)."""

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from smevoucher.core import clock
from smevoucher.core.money import capital_amount, format_yuan
from smevoucher.core.pdf import render_pdf

from . import selectors
from .models import Application


@dataclass
class Row:
    index: int
    enterprise: str
    uscc: str
    product: str
    contract: str
    invoice_number: str
    invoice_date: str
    invoice_fen: int
    own_share_fen: int
    voucher_fen: int
    payment_date: str


def summary_rows(application: Application) -> list[Row]:
    rows = []
    for index, view in enumerate(selectors.lines_of(application), start=1):
        order, payment = view.order, view.payment
        confirmed = order.payment_confirmed_at or payment.decided_at
        rows.append(
            Row(
                index=index,
                enterprise=order.enterprise.organisation.name,
                uscc=order.enterprise.uscc,
                product=order.product_name + (f"（{order.tier_name}）" if order.tier_name else ""),
                contract=order.number,
                invoice_number=payment.invoice_number,
                invoice_date=payment.invoice_date.isoformat(),
                invoice_fen=payment.invoice_fen,
                own_share_fen=payment.own_share_fen,
                voucher_fen=view.line.voucher_fen,
                payment_date=timezone.localtime(confirmed).date().isoformat() if confirmed else "",
            )
        )
    return rows


def context(application: Application) -> dict:
    rows = summary_rows(application)
    total = sum(r.voucher_fen for r in rows)
    provider = application.provider
    return {
        "application": application,
        "provider": provider,
        "rows": rows,
        "total_fen": total,
        "total_yuan": format_yuan(total),
        "total_capital": capital_amount(total),
        "invoice_total_fen": sum(r.invoice_fen for r in rows),
        "own_share_total_fen": sum(r.own_share_fen for r in rows),
        "generated_at": timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M"),
        "code": application.verification_code,
    }


def application_pdf(application: Application) -> bytes:
    return render_pdf("redemption/pdf/application.html", context(application))


def summary_pdf(application: Application) -> bytes:
    return render_pdf("redemption/pdf/summary.html", context(application))


SUMMARY_TITLE = "服务券使用情况明细汇总表"


def summary_xlsx(application: Application) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    data = context(application)
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总表"
    sheet.append([SUMMARY_TITLE])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _("Service provider"),
            data["provider"].organisation.name,
            _("Issuing city"),
            application.city.name,
            _("Application number"),
            application.number,
        ]
    )
    headers = [
        _("No."),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Service product"),
        _("Contract (order) number"),
        _("Invoice number"),
        _("Invoice date"),
        _("Invoice amount (yuan)"),
        _("Own share (yuan)"),
        _("Voucher amount (yuan)"),
        _("Vouchers received on"),
    ]
    sheet.append(headers)
    first = sheet.max_row + 1
    for r in data["rows"]:
        sheet.append(
            [
                r.index,
                r.enterprise,
                r.uscc,
                r.product,
                r.contract,
                r.invoice_number,
                r.invoice_date,
                r.invoice_fen / 100,
                r.own_share_fen / 100,
                r.voucher_fen / 100,
                r.payment_date,
            ]
        )
    total_row = sheet.max_row + 1
    # Totals are summed in integer fen, not by the spreadsheet, so they match the forms to the fen.
    sheet.append(
        [
            _("Total"),
            "",
            "",
            "",
            "",
            "",
            "",
            data["invoice_total_fen"] / 100,
            data["own_share_total_fen"] / 100,
            data["total_fen"] / 100,
        ]
    )
    for row in sheet.iter_rows(min_row=first, max_row=total_row, min_col=8, max_col=10):
        for cell in row:
            cell.number_format = "#,##0.00"
    sheet.append([_("Total voucher amount in capitals"), data["total_capital"]])
    sheet.append([_("Generated at"), data["generated_at"], _("Verification code"), data["code"]])
    sheet.append([_("Seal of the provider"), "", _("Legal representative (signature)"), ""])
    for column, width in zip("ABCDEFGHIJK", (6, 28, 22, 24, 14, 14, 12, 14, 14, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    sheet.print_options.gridLines = True
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
