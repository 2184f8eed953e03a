"""In real browsers (issue 17): after receipt the enterprise rates the service and files a complaint; the rating
shows in the catalogue; the issuing city's unit answers and closes the complaint, and the enterprise reads it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from smevoucher.orders import factories
from smevoucher.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list[str]:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_enterprise_rates_and_complains_and_the_unit_answers(live_server, page, browser, log_in, nav):
    w = factories.world()
    order = factories.advance(w, factories.place(w), Order.Status.PAYMENT_CONFIRMED)
    url = live_server.url

    log_in(page, w.enterprise_user)
    page.goto(f"{url}/orders/{order.pk}/")
    page.get_by_role("link", name="评价服务").click()
    assert serious_violations(page) == []
    page.get_by_role("button", name="保存评价").click()  # no score chosen: refused, the summary says why
    expect(page.locator("[data-error-summary]")).to_be_visible()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("评价内容").fill("响应及时，报告质量一般")
    page.get_by_role("button", name="保存评价").click()
    expect(page.get_by_text("感谢评价，已保存。")).to_be_visible()
    expect(page.get_by_test_id("my-rating")).to_contain_text("4/5")
    page.goto(f"{url}/catalogue/")
    expect(page.get_by_test_id("rating").first).to_contain_text("★ 4.0")

    page.goto(f"{url}/orders/{order.pk}/")
    page.get_by_test_id("feedback").get_by_role("link", name="投诉").click()
    page.get_by_label("投诉内容").fill("服务报告与合同约定不符")
    page.get_by_role("button", name="提交投诉").click()
    expect(page.get_by_text("投诉已提交地市承办单位。")).to_be_visible()

    unit_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    unit = unit_context.new_page()
    log_in(unit, w.unit)
    nav(unit, "投诉")
    unit.get_by_role("link", name="T", exact=False).first.click()
    expect(unit.get_by_test_id("complaint-text")).to_have_text("服务报告与合同约定不符")
    unit.get_by_label("答复").fill("已约谈服务机构，要求补充报告")
    unit.get_by_role("button", name="发送答复").click()
    expect(unit.get_by_test_id("complaint-status")).to_have_text("已答复")
    unit.get_by_role("button", name="办结投诉").click()
    expect(unit.get_by_test_id("complaint-status")).to_have_text("已办结")
    assert serious_violations(unit) == []
    unit_context.close()

    nav(page, "我的投诉")
    page.get_by_role("link", name="T", exact=False).first.click()
    expect(page.get_by_test_id("complaint-answer")).to_contain_text("已约谈服务机构")
