"""In real browsers (issue 17, manual 三, issue 15.3): the city unit opens a risk flag, reads its evidence, confirms
it and suspends the provider from the flag's evidence link; the provider's products leave the catalogue, and the
enterprise of its contract-confirmed order cancels it with the vouchers back in its wallet."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from smevoucher.core import clock
from smevoucher.integrity import services as integrity
from smevoucher.integrity.models import RiskFlag
from smevoucher.orders import factories
from smevoucher.orders.models import Order
from smevoucher.vouchers.models import LedgerAccount
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list[str]:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("critical", "serious")]


def test_unit_confirms_a_flag_suspends_the_provider_and_the_enterprise_cancels_its_order(
    live_server, page, browser, log_in, nav
):
    w = factories.world(level="municipal")  # reviewed by the Guangzhou unit (R4), which may suspend it
    order = factories.advance(w, factories.place(w, expected_fen=1_500_00), Order.Status.CONTRACT_CONFIRMED)
    for party in (order.enterprise, order.provider):  # one telephone on both sides of the order
        party.phone_key = "13800000000"
        party.save(update_fields=["phone_key"])
    integrity.scan(kinds=["related_party"])
    flag = RiskFlag.objects.get(kind="related_party")
    url = live_server.url
    until = clock.today() + timedelta(days=90)

    unit_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    unit = unit_context.new_page()
    log_in(unit, w.unit)
    nav(unit, "风险提示")
    unit.get_by_role("link", name=flag.number).click()
    expect(unit.get_by_test_id("evidence")).to_contain_text("******0000")
    unit.get_by_label("理由").fill("双方联系电话相同，经核实为关联方。")
    unit.get_by_test_id("confirm-flag").click()
    expect(unit.get_by_test_id("flag-status")).to_have_text("已认定违规")
    unit.get_by_test_id("evidence-links").get_by_role("link", name=f"服务机构 #{w.provider.pk}").click()
    expect(unit.get_by_test_id("violations")).to_contain_text("经核实为关联方")  # the confirmed breach
    unit.get_by_label("暂停理由").fill("无实际服务即收取服务券")
    unit.get_by_label("暂停至（含当日）").fill(until.isoformat())
    unit.get_by_role("button", name="暂停该服务机构").click()
    expect(unit.get_by_text("已暂停该服务机构")).to_be_visible()
    expect(unit.get_by_test_id("suspended-banner")).to_contain_text(until.isoformat())
    expect(unit.get_by_test_id("violations")).to_contain_text("无实际服务即收取服务券")
    assert serious_violations(unit) == []
    unit_context.close()

    # The enterprise, on a phone: the product is gone from the catalogue; it cancels the order.
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, w.enterprise_user)
    page.goto(f"{url}/catalogue/")
    expect(page.get_by_text(w.revision.name)).to_have_count(0)
    page.goto(f"{url}/orders/{order.pk}/")
    expect(page.get_by_test_id("provider-lapsed")).to_be_visible()
    page.get_by_role("button", name="取消订单").click()
    expect(page.get_by_text("订单已取消，服务券已退回。")).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("企业已取消")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wallet = LedgerAccount.objects.get(kind="wallet", enterprise=w.enterprise)
    assert wallet.balance_fen == 20_000_00
    assert ledger_problems() == []
