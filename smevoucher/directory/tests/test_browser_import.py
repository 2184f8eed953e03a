"""Issue 13 (8) in a browser: the template's example row is refused, and a good sheet lists the rows it will add
and update before the province confirms."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from smevoucher.accounts.factories import province_user
from smevoucher.directory import services
from smevoucher.directory.models import Entry
from smevoucher.directory.sheets import template_bytes
from smevoucher.directory.tests.test_import import GOOD, sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, name: str, content: bytes):
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    page.get_by_label("Excel 文件（.xlsx）").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    page.get_by_role("button", name="上传并检查").click()


def test_import_refuses_the_example_row_then_previews_before_confirming(live_server, page, log_in):
    unit = province_user()
    services.directory_import_apply(
        actor=unit,
        import_id=services.directory_import_check(
            import_id=services.directory_import_upload(actor=unit, filename="a.xlsx", content=sheet(GOOD[1])).pk
        ).pk,
    )
    log_in(page, unit)
    book = load_workbook(io.BytesIO(template_bytes()))
    book.active.append(list(GOOD[0]))
    filled = io.BytesIO()
    book.save(filled)
    page.goto(f"{live_server.url}/directory/import/")
    choose(page, "名录.xlsx", filled.getvalue())
    expect(page.get_by_test_id("import-error")).to_contain_text("模板中的示例行")

    page.goto(f"{live_server.url}/directory/import/")
    changed = (GOOD[1][0], "省级", "", 2017, "2021-06-30", "延期文件")
    choose(page, "名录.xlsx", sheet(GOOD[0], changed))
    expect(page.get_by_test_id("import-counts")).to_contain_text("新增 1 条，更新 1 条，0 条不变")
    expect(page.get_by_test_id("import-create")).to_contain_text(GOOD[0][0])
    expect(page.get_by_test_id("import-update")).to_contain_text(GOOD[1][0])
    assert Entry.objects.count() == 1  # nothing saved before confirming
    page.get_by_role("button", name="确认导入名录").click()
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "done")
    assert Entry.objects.count() == 2
