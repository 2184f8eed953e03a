"""In real browsers, two at once: an enterprise orders, the provider confirms, the contract goes up and is
confirmed, the service is completed, the enterprise pays with vouchers (less than expected), the provider
confirms receipt; then the provider asks for a refund and the Guangzhou unit approves it."""

import pytest
from playwright.sync_api import expect

from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.orders import factories
from smevoucher.orders.models import Order
from smevoucher.vouchers.models import LedgerAccount
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page, field: str, name: str):
    payload = {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(name)}
    page.locator(f"#id_{field}_picker").set_input_files([payload])


def current_step(page):
    return page.locator('[aria-current="step"]')


def test_order_to_receipt_in_two_browsers_then_refund(live_server, page, browser, log_in, nav):
    w = factories.world()
    url = live_server.url

    # The enterprise orders the ¥5,800 option, earmarking ¥2,000.
    log_in(page, w.enterprise_user)
    page.goto(f"{url}/catalogue/{w.product.pk}/")
    page.get_by_role("link", name="下单购买此服务").click()
    page.get_by_label("价格档次").select_option(str(w.tier(1).pk))
    page.get_by_label("使用服务券批次").select_option(str(w.batch.pk))
    page.get_by_label("预计支付券额（元）").fill("2000")
    page.get_by_role("button", name="提交订单").click()
    expect(page.get_by_text("订单已提交，等待服务机构确认。")).to_be_visible()
    expect(current_step(page)).to_have_attribute("data-step", "confirm_order")
    expect(page.get_by_test_id("next-step")).to_contain_text("服务机构确认订单")
    order_url = page.url

    # The provider, in its own browser, confirms it; its cap gauge shows the reservation.
    provider_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    provider = provider_context.new_page()
    log_in(provider, w.provider_user)
    nav(provider, "收到的订单")
    expect(provider.get_by_test_id("cap-gauge")).to_contain_text("尚未确认任何订单")
    provider.goto(order_url)
    provider.get_by_role("button", name="确认订单").click()
    expect(provider.get_by_text("订单已确认。")).to_be_visible()
    provider.get_by_role("link", name="订单", exact=True).first.click()
    expect(provider.get_by_test_id("cap-gauge")).to_contain_text("¥2,000.00")

    # The enterprise uploads the contract; the provider confirms it and completes the service.
    page.reload()
    expect(current_step(page)).to_have_attribute("data-step", "upload_contract")
    upload(page, "files", "服务合同")
    page.get_by_role("button", name="上传服务合同").click()
    expect(page.get_by_text("合同已上传，等待服务机构确认。")).to_be_visible()
    provider.goto(order_url)
    provider.get_by_role("button", name="确认合同").click()
    expect(provider.get_by_text("合同已确认。")).to_be_visible()
    provider.get_by_label("服务完成日期").fill(w.batch.service_start.isoformat())
    provider.get_by_role("button", name="确认完成服务").click()
    expect(provider.get_by_text("已确认服务完成。")).to_be_visible()

    # The enterprise pays ¥1,800 with vouchers on a ¥5,800 invoice.
    page.reload()
    expect(current_step(page)).to_have_attribute("data-step", "receive")
    page.get_by_label("发票号码").fill("44001234")
    page.get_by_label("开票日期").fill(w.batch.service_start.isoformat())
    page.get_by_label("发票金额（元）").fill("5800")
    page.get_by_label("企业自付部分（对公转账，元）").fill("4000")
    page.get_by_label("实际支付券额（元）").fill("1800")
    upload(page, "invoice", "发票")
    upload(page, "transfer_proof", "转账凭证")
    page.get_by_role("button", name="支付服务券").click()
    expect(page.get_by_text("支付已提交，等待服务机构核对。")).to_be_visible()

    # The provider sees actual against expected and confirms receipt.
    provider.goto(order_url)
    expect(provider.get_by_test_id("actual-vs-expected")).to_contain_text("¥1,800.00 / ¥2,000.00")
    provider.get_by_role("button", name="接收服务券").click()
    expect(provider.get_by_text("已接收服务券。")).to_be_visible()
    expect(provider.get_by_test_id("order-status")).to_have_text("服务券已接收")
    assert Order.objects.get().voucher_fen == 1_800_00

    # The provider asks for a refund; the Guangzhou unit approves it.
    provider.get_by_label("理由").fill("企业取消服务")
    provider.get_by_role("button", name="向企业所在地管理员申请退回支付").click()
    expect(provider.get_by_text("退回支付申请已提交企业所在地管理员。")).to_be_visible()
    provider_context.close()

    unit_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    unit = unit_context.new_page()
    log_in(unit, w.unit)
    nav(unit, "退回支付申请")
    unit.get_by_role("button", name="同意退回").click()
    expect(unit.get_by_text("已同意退回支付，服务券已退回企业券包。")).to_be_visible()
    unit_context.close()

    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("已退回支付")
    wallet = LedgerAccount.objects.get(kind="wallet", enterprise=w.enterprise)
    assert wallet.balance_fen == 20_000_00
    assert ledger_problems() == []
