import io

from openpyxl import load_workbook
from pypdf import PdfReader

from smevoucher.core.money import capital_amount
from smevoucher.redemption import factories, printing


def _text(content: bytes) -> str:
    """The PDF's text without whitespace (table cells wrap labels onto several lines)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.split())


def test_the_application_form_pdf_carries_the_fields_the_provider_and_the_capital_total(w, payments):
    application = factories.draft(w, payments)
    text = _text(printing.application_pdf(application))
    for label in (
        "服务券兑现申请表",
        "服务机构名称",
        "开户银行",
        "银行账号",
        "申请兑现金额（大写）",
        "法定代表人（签字）",
    ):
        assert label in text
    assert w.provider.organisation.name in text
    assert w.provider.bank_account in text
    assert capital_amount(2_500_00) in text
    assert application.verification_code in text
    assert "第1页/共1页" in text


def test_the_summary_pdf_lists_each_payment(w, payments):
    application = factories.draft(w, payments)
    text = _text(printing.summary_pdf(application))
    assert "服务券使用情况明细汇总表" in text and "统一社会信用代码" in text
    assert w.enterprise.uscc in text
    for payment in payments:
        assert payment.invoice_number in text
    assert capital_amount(2_500_00) in text


def test_the_summary_xlsx_opens_and_its_sums_match(w, payments):
    application = factories.draft(w, payments)
    sheet = load_workbook(io.BytesIO(printing.summary_xlsx(application))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "服务券使用情况明细汇总表"
    lines = [r for r in rows if isinstance(r[0], int)]
    assert [r[5] for r in lines] == [p.invoice_number for p in payments]
    total = next(r for r in rows if r[0] == "合计")
    assert round(sum(r[9] for r in lines) * 100) == round(total[9] * 100) == 2_500_00
    assert round(sum(r[7] for r in lines) * 100) == round(total[7] * 100) == sum(p.invoice_fen for p in payments)
    assert any(r[1] == capital_amount(2_500_00) for r in rows)


def test_the_summary_xlsx_keeps_an_invoice_number_that_looks_like_a_formula_as_text(w, payments):
    """An invoice number typed as =HYPERLINK(...) must not become a live formula in the summary sheet."""
    trap = '=HYPERLINK("http://evil.example","发票")'
    type(payments[0]).objects.filter(pk=payments[0].pk).update(invoice_number=trap)
    application = factories.draft(w, payments)
    sheet = load_workbook(io.BytesIO(printing.summary_xlsx(application))).active
    cells = [row[5] for row in sheet.iter_rows() if row[5].value == trap]
    assert len(cells) == 1 and cells[0].data_type == "s"
