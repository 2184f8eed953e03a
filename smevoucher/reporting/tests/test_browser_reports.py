"""In a real browser: after a whole flow (claims, orders, a refund, a redemption, reclaims), the Guangzhou unit opens
the dashboard from the menu; the funnel on the page equals the report API's, the charts are drawn and each chart's
table is there; then the provider opens its receipts."""

import pytest
from playwright.sync_api import expect

from smevoucher.reporting import selectors

from .factories import scheme_flow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_city_unit_sees_the_funnel_the_api_reports(live_server, page, log_in, nav):
    flow = scheme_flow()
    violations = []  # the charts draw under the site's Content-Security-Policy: no inline script or style element
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, flow.world.unit)
    nav(page, "统计报表")
    expect(page.get_by_role("heading", name="统计报表")).to_be_visible()
    expect(page.locator("#chart-funnel svg")).to_be_visible()  # ECharts drew the funnel
    api = page.request.get(f"{live_server.url}/api/v1/reports/summary/").json()
    for key in selectors.STAGES:
        fen = page.get_by_test_id(f"stage-{key}-fen").get_attribute("data-fen")
        count = page.get_by_test_id(f"stage-{key}-count").get_attribute("data-count")
        assert (int(fen), int(count)) == (api["stages"][key]["fen"], api["stages"][key]["count"]), key
    assert api["stages"]["redeemed"]["fen"] == 1_000_00 and api["stages"]["reclaimed"]["fen"] == 4_000_00
    expect(page.get_by_test_id("stage-issued-fen")).to_have_text("¥100,000.00")
    expect(page.get_by_test_id("table-receipts")).to_contain_text("¥400.00")
    page.get_by_label("批次").select_option(str(flow.world.batch.pk))
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#chart-claims_per_minute svg")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("section-funnel").get_by_role("link", name="下载 XLSX").click()
    assert download.value.suggested_filename.endswith("funnel.xlsx")

    page.set_viewport_size({"width": 390, "height": 800})  # a phone: charts shrink, wide tables scroll inside
    page.reload()
    expect(page.locator("#chart-funnel svg")).to_be_visible()
    assert page.evaluate("document.querySelector('main').scrollWidth <= window.innerWidth")
    assert violations == []


def test_the_provider_opens_its_receipts(live_server, page, log_in, nav):
    flow = scheme_flow(expire=False)
    log_in(page, flow.world.provider_user)
    nav(page, "收券对账")
    expect(page.get_by_test_id(f"receipt-{flow.short_paid.pk}")).to_contain_text("¥400.00")
    expect(page.get_by_test_id("total-difference")).to_have_text("¥400.00")
