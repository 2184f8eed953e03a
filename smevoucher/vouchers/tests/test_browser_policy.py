"""R19 in a browser: the province opens the policy settings from the menu, is told what is missing, saves the
year's values; the history keeps them and the help centre states the share now in force. At phone width the page
does not scroll sideways, and axe-core finds no serious violation."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from smevoucher.accounts.factories import province_user
from smevoucher.core import clock
from smevoucher.vouchers import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_province_sets_the_years_policy_and_the_help_centre_states_it(live_server, browser, log_in, nav):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, province_user())
    nav(page, "政策参数")
    expect(page).to_have_url(re.compile(r"/vouchers/policy/$"))
    expect(page.get_by_test_id("policy-cap")).to_have_text("10%")
    page.get_by_label("服务机构收券上限（占该市当年总额的百分比）").fill("12.5")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("理由")
    expect(page.get_by_label("服务机构收券上限（占该市当年总额的百分比）")).to_have_value("12.5")
    page.get_by_label("理由").fill("粤工信函〔2026〕1号")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("policy-cap")).to_have_text("12.5%")
    expect(page.get_by_test_id("policy-history")).to_contain_text("粤工信函〔2026〕1号")
    assert services.policy_for(None, clock.today().year).cap_bp == 1250
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
    assert serious == []
    page.goto(f"{live_server.url}/help/")
    expect(page.get_by_test_id("help-cap")).to_contain_text("12.5%")
    context.close()
