import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from smevoucher.accounts.factories import PASSWORD, city_unit_user, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_unit_staff_logs_in_with_totp(live_server, page):
    staff = city_unit_user("440100", username="gz_reviewer")
    device = totp_device(staff)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("gz_reviewer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="两步验证")).to_be_visible()
    page.goto(f"{live_server.url}/enterprises/")  # nothing is reachable before the code
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))

    page.get_by_label("动态口令").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(r"/enterprises/$"))
    expect(page.get_by_role("heading", name=re.compile("企业管理"))).to_be_visible()
    expect(page.get_by_test_id("main-nav").get_by_role("link", name="企业管理", include_hidden=True)).to_have_count(1)
