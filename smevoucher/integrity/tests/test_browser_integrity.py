"""In a real browser, on a phone-sized screen: the Guangzhou unit opens a risk flag from its queue, reads the
evidence side by side, and confirms the flag with a reason; axe-core finds no serious violation on the page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from smevoucher.integrity import services
from smevoucher.integrity.models import RiskFlag
from smevoucher.orders import factories as orders
from smevoucher.redemption.factories import confirmed_payments

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_opens_a_flag_reads_its_evidence_and_confirms_it(live_server, page, log_in, nav):
    w = orders.world()
    order = confirmed_payments(w, 1)[0].order
    for party in (order.enterprise, order.provider):  # the provider's telephone is the enterprise's
        party.phone_key = "13800000000"
        party.save(update_fields=["phone_key"])
    services.scan(kinds=["related_party"])
    flag = RiskFlag.objects.get(kind="related_party")

    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, w.unit)
    nav(page, "风险提示")
    page.get_by_role("link", name=flag.number).click()
    expect(page.get_by_test_id("flag-explanation")).to_contain_text("联系电话")
    evidence = page.get_by_test_id("evidence")
    expect(evidence.get_by_role("columnheader", name="企业")).to_be_visible()
    expect(evidence.get_by_role("columnheader", name="服务机构")).to_be_visible()
    expect(evidence).to_contain_text("******0000")
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("critical", "serious")]
    assert violations == []

    page.get_by_test_id("confirm-flag").click()  # without a reason: refused, said beside the field
    expect(page.get_by_text("请填写处理理由。")).to_be_visible()
    page.get_by_label("理由").fill("法人与服务机构联系电话相同，经核实为关联方。")
    page.get_by_test_id("confirm-flag").click()
    expect(page.get_by_test_id("flag-status")).to_have_text("已认定违规")
    expect(page.get_by_test_id("flag-decision")).to_contain_text("经核实为关联方")
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.CONFIRMED
