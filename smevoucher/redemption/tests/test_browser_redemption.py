"""In real browsers: a provider bundles two confirmed payments into a redemption application, downloads the
generated forms, uploads the stamped scans and submits; the Guangzhou unit approves and publishes the results,
which appear on the notice board."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.orders import factories as orders
from smevoucher.redemption.factories import confirmed_payments
from smevoucher.redemption.models import Application
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page, field: str, name: str):
    payload = {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(name)}
    page.locator(f"#id_{field}_picker").set_input_files([payload])


def test_provider_applies_unit_approves_result_on_the_notice_board(live_server, page, browser, log_in, nav):
    w = orders.world()
    confirmed_payments(w, 2)
    url = live_server.url

    # The provider bundles both confirmed payments of the Guangzhou batch.
    log_in(page, w.provider_user)
    nav(page, "兑现申请")
    page.get_by_role("button", name="开始兑现申请").click()
    expect(page.get_by_text("申请已创建，已加入该城市所有已确认收券的支付。")).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text("¥2,500.00")

    # It downloads the generated forms to print them.
    with page.expect_download() as pdf:
        page.get_by_role("link", name="兑现申请表（PDF）").click()
    assert open(pdf.value.path(), "rb").read().startswith(b"%PDF")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="使用情况明细汇总表（XLSX）").click()
    sheet = load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read())).active
    assert sheet["A1"].value == "服务券使用情况明细汇总表"

    # It uploads the stamped scans and submits.
    upload(page, "application_form", "兑现申请表盖章")
    upload(page, "summary_table", "汇总表盖章")
    page.get_by_role("button", name="上传材料").click()
    expect(page.get_by_text("材料已上传。")).to_be_visible()
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("申请已提交市级承办单位。")).to_be_visible()
    application_url = page.url

    # The Guangzhou unit reviews and approves, then publishes the results.
    unit_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    unit = unit_context.new_page()
    log_in(unit, w.unit)
    nav(unit, "兑现审核")
    unit.get_by_role("link", name=Application.objects.get().number).click()
    assert unit.url == application_url
    unit.get_by_role("button", name="审核通过兑现").click()
    expect(unit.get_by_text("申请已审核通过，服务券已兑现。")).to_be_visible()
    unit.get_by_role("link", name="兑现申请").first.click()
    unit.get_by_role("button", name="在通知公告中公布审核结果").click()
    expect(unit.get_by_text("审核结果已在通知公告中公布。")).to_be_visible()
    unit_context.close()

    # The result is on the public notice board.
    page.goto(f"{url}/notices/")
    page.get_by_role("link", name="服务券兑现审核结果").first.click()
    expect(page.get_by_text(w.provider.organisation.name).first).to_be_visible()
    expect(page.get_by_text("¥2,500.00").first).to_be_visible()
    assert Application.objects.get().status == "approved"
    assert ledger_problems() == []
