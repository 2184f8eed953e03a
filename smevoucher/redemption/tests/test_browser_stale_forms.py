"""In real browsers (issue 15): after a rejection the provider removes a payment; the stamped scans are set aside,
the forms get a new code and the application cannot be resubmitted on the old paper. The unit's look-up of the old
code says it is superseded. On a phone, with no serious accessibility violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from smevoucher.orders import factories as orders
from smevoucher.redemption import factories, services
from smevoucher.redemption.factories import confirmed_payments

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _serious(page) -> list[str]:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_removing_a_payment_sets_the_scans_aside_and_the_old_code_is_superseded(live_server, browser, log_in):
    w = orders.world()
    payments = confirmed_payments(w, 2)
    application = factories.submitted(w, payments)
    services.application_reject(actor=w.unit, application_id=application.pk, reason="第一笔支付有误")
    old_code = application.verification_code
    detail = f"{live_server.url}{reverse('redemption:detail', args=[application.pk])}"

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE)
    page = context.new_page()
    log_in(page, w.provider_user)
    page.goto(detail)
    expect(page.get_by_test_id("scans-version")).to_contain_text("一致")
    page.get_by_test_id(f"line-{payments[0].pk}").get_by_role("button", name="移除").click()
    expect(page.get_by_test_id("scans-version")).to_contain_text("原盖章扫描件已作废")
    expect(page.get_by_test_id("form-versions")).to_contain_text(old_code)
    assert old_code not in page.get_by_test_id("scans-version").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert _serious(page) == []
    page.get_by_role("button", name="重新提交申请").click()
    expect(page.get_by_text("请上传盖章的兑现申请表扫描件。").first).to_be_visible()
    context.close()

    unit_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE)
    unit = unit_context.new_page()
    log_in(unit, w.unit)
    unit.goto(f"{live_server.url}{reverse('redemption:verify')}")
    unit.get_by_label("校验码").fill(old_code)
    unit.get_by_role("button", name="查询").click()
    expect(unit.get_by_test_id("verify-superseded")).to_contain_text("此版本已作废")
    assert _serious(unit) == []
    unit_context.close()
