"""Issue 13 in a real browser: a refused payment keeps the files and the typed values and links each error from the
summary; the order form states the real maximum; the order list searches, filters and pages."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.documents.models import Document
from smevoucher.orders import factories
from smevoucher.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page, field: str, name: str):
    payload = {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(name)}
    page.locator(f"#id_{field}_picker").set_input_files([payload])


def test_a_refused_payment_keeps_the_files_and_values_and_the_summary_links_work(live_server, page, log_in):
    w = factories.world()
    order = factories.advance(w, factories.place(w), Order.Status.COMPLETED)
    log_in(page, w.enterprise_user)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(page.get_by_label("实际支付券额（元）")).to_have_value("1000")  # starts at the expected amount
    page.get_by_label("发票号码").fill("44001234")
    page.get_by_label("开票日期").fill(w.batch.service_start.isoformat())
    page.get_by_label("企业自付部分（对公转账，元）").fill("2000")
    expect(page.get_by_label("发票金额（元）")).to_have_value("3000.00")  # own share + vouchers, filled in
    expect(page.locator("[data-payment-difference]")).to_contain_text("无")
    page.get_by_label("发票金额（元）").fill("3500")  # the user types a wrong invoice amount
    upload(page, "invoice", "发票")
    upload(page, "transfer_proof", "转账凭证")
    page.get_by_role("button", name="支付服务券").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    axe = Axe().run(page, context="[data-error-summary]", options={"resultTypes": ["violations"]})
    assert [v["id"] for v in axe.response["violations"] if v["impact"] in ("serious", "critical")] == []
    summary.get_by_role("link", name=re.compile("发票金额")).click()
    expect(page.get_by_label("发票金额（元）")).to_be_focused()
    expect(page.get_by_label("发票号码")).to_have_value("44001234")
    expect(page.get_by_label("企业自付部分（对公转账，元）")).to_have_value("2000")
    expect(page.locator("[data-kept]")).to_have_count(2)
    expect(page.locator("[data-kept-name]").first).to_have_text("发票.pdf")
    stored = Document.objects.count()

    page.get_by_label("发票金额（元）").fill("3000")
    page.get_by_role("button", name="支付服务券").click()
    expect(page.get_by_text("支付已提交，等待服务机构核对。")).to_be_visible()
    assert Document.objects.count() == stored  # nothing uploaded twice
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAYMENT_SUBMITTED


def test_the_order_form_states_the_maximum_for_the_chosen_option(live_server, page, log_in):
    w = factories.world()
    log_in(page, w.enterprise_user)
    page.goto(f"{live_server.url}/orders/new/{w.revision.pk}/")
    maximum = page.locator("[data-maximum-value]")
    expect(maximum).to_have_text("¥1,500.00")  # half of ¥3,000
    page.get_by_label("价格档次").select_option(str(w.tier(1).pk))
    expect(maximum).to_have_text("¥2,900.00")  # half of ¥5,800
    expect(page.get_by_test_id("maximum-table")).to_contain_text("¥20,000.00")  # the wallet


def test_the_order_list_searches_filters_and_pages(live_server, page, log_in):
    w = factories.world()
    orders = [factories.place(w, expected_fen=100_00) for _ in range(52)]
    factories.advance(w, orders[0], Order.Status.CONFIRMED)
    log_in(page, w.enterprise_user)
    page.goto(f"{live_server.url}/orders/")
    links = page.get_by_test_id("page-links")
    expect(links).to_contain_text("共 52 条")
    links.get_by_role("link", name="2", exact=True).click()
    expect(page.locator("[data-testid^=order-row-]")).to_have_count(2)
    page.get_by_label("搜索").fill(orders[5].number)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("[data-testid^=order-row-]")).to_have_count(1)
    expect(page.get_by_test_id(f"order-row-{orders[5].pk}")).to_be_visible()
    page.get_by_role("link", name="清除筛选条件").click()
    page.get_by_label("状态").select_option("confirmed")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("[data-testid^=order-row-]")).to_have_count(1)
    page.get_by_label("搜索").fill("没有这个")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("empty-state")).to_contain_text("清除筛选条件")
