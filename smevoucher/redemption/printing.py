"""The generated forms of R13: 服务券兑现申请表 (PDF) and 服务券使用情况明细汇总表 (XLSX and PDF), filled from the
application's data, with totals in figures and in Chinese capitals, a place for the seal and the signature, page
numbers, the generation time and the verification code a unit can look up.

Rows come from one function (`summary_rows`); the renderers only lay them out. Forms are generated on request;
a very large application could move this into a task that stores the file through `documents` (not needed at
the sizes seen so far: a few hundred lines render in well under a second per page).

The forms are official Chinese documents with fixed wording, so their labels are Chinese text, not msgids."""

import io
from dataclasses import dataclass

from django.utils import timezone

from smevoucher.core import clock
from smevoucher.core.money import capital_amount, format_yuan
from smevoucher.core.pdf import render_pdf
from smevoucher.core.spreadsheets import xlsx_row

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
        "enterprise_count": len({r.uscc for r in rows}),  # 服务企业数: enterprises served, not payments
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
        xlsx_row(
            sheet,
            [
                "服务机构",
                data["provider"].organisation.name,
                "发放市",
                application.city.name,
                "申请编号",
                application.number,
            ],
        )
    )
    headers = [
        "序号",
        "服务企业",
        "统一社会信用代码",
        "服务产品",
        "合同（订单）编号",
        "发票号码",
        "开票日期",
        "发票金额（元）",
        "自付金额（元）",
        "服务券金额（元）",
        "收券日期",
    ]
    sheet.append(headers)
    first = sheet.max_row + 1
    for r in data["rows"]:
        sheet.append(
            xlsx_row(
                sheet,
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
                ],
            )
        )
    total_row = sheet.max_row + 1
    # Totals are summed in integer fen, not by the spreadsheet, so they match the forms to the fen.
    sheet.append(
        [
            "合计",
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
    sheet.append(["服务券金额合计（大写）", data["total_capital"]])
    sheet.append(["生成时间", data["generated_at"], "校验码", data["code"]])
    sheet.append(["服务机构（盖章）", "", "法定代表人（签字）", ""])
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
