"""In real browsers (issue 17): an approved enterprise's administrator, on a phone, asks to change its telephone
and registered address with the new licence; its city unit finds the request from the workbench navigation and
applies it; the enterprise's page then shows the new telephone and address."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from smevoucher.accounts.factories import city_unit_user
from smevoucher.enterprises.factories import enterprise_user, licence_image
from smevoucher.enterprises.models import Enterprise, EnterpriseChangeRequest
from smevoucher.vouchers.factories import approved_enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_ADDRESS = "广州市黄埔区科学大道188号"


def serious_violations(page) -> list[str]:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("critical", "serious")]


def test_enterprise_requests_a_change_and_its_city_unit_applies_it(live_server, browser, log_in, nav):
    enterprise = approved_enterprise("440100")
    unit_user = city_unit_user("440100")

    phone = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
    clerk = phone.new_page()
    log_in(clerk, enterprise_user(enterprise))
    clerk.goto(f"{live_server.url}/enterprises/mine/")
    clerk.get_by_role("link", name="申请变更").click()
    clerk.get_by_label("新的联系电话").fill("139-1234-5678")
    clerk.get_by_label("新的注册地址").fill(NEW_ADDRESS)
    clerk.get_by_role("button", name="提交申请").click()
    # A new address is on the new business licence: the request is refused without it, the values kept.
    expect(clerk.locator("[data-field=licence]")).to_contain_text("营业执照")
    assert not EnterpriseChangeRequest.objects.exists()
    expect(clerk.get_by_label("新的注册地址")).to_have_value(NEW_ADDRESS)
    clerk.get_by_label("添加文件").set_input_files(
        [{"name": "新营业执照.jpg", "mimeType": "image/jpeg", "buffer": licence_image()}]
    )
    clerk.get_by_role("button", name="提交申请").click()
    expect(clerk.get_by_test_id("change-status")).to_have_text("待处理")
    assert serious_violations(clerk) == []
    clerk.goto(f"{live_server.url}/enterprises/mine/")
    expect(clerk.get_by_test_id("contact-phone")).to_have_text("020-12345678")  # unchanged until applied
    expect(clerk.get_by_test_id("change-requests")).to_contain_text("待处理")

    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    unit = desk.new_page()
    log_in(unit, unit_user)
    nav(unit, "企业变更申请")
    change = EnterpriseChangeRequest.objects.get()
    unit.get_by_role("link", name=str(change.pk), exact=True).click()
    expect(unit.get_by_test_id("new-value").first).to_contain_text(NEW_ADDRESS)
    expect(unit.get_by_test_id("history")).to_be_visible()
    assert serious_violations(unit) == []
    unit.get_by_role("button", name="同意并变更").click()
    expect(unit.get_by_test_id("change-status")).to_have_text("已变更")
    desk.close()

    clerk.goto(f"{live_server.url}/enterprises/mine/")
    expect(clerk.get_by_test_id("contact-phone")).to_have_text("139-1234-5678")
    expect(clerk.get_by_test_id("registered-address")).to_have_text(NEW_ADDRESS)
    expect(clerk.get_by_test_id("change-requests")).to_contain_text("已变更")
    enterprise = Enterprise.objects.get(pk=enterprise.pk)
    assert enterprise.phone_key == "13912345678" and enterprise.licence_id == change.licence_id
    phone.close()
