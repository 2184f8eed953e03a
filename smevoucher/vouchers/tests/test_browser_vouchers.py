"""In a real browser: a city unit opens a batch, two enterprises claim (one priority), the window closes, the
allocation gives the priority one first, and both see their wallets."""

import re
from datetime import timedelta

import pytest
import time_machine
from django_otp.oath import totp
from playwright.sync_api import expect

from smevoucher.accounts.factories import PASSWORD, city_unit_user, totp_device
from smevoucher.core import clock
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.vouchers.factories import approved_enterprise
from smevoucher.vouchers.models import Batch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, url, username, device=None):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    if device is not None:
        page.get_by_label("动态口令").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="验证").click()


def claim_as(browser, url, user, batch_name, yuan, nav):
    page = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    log_in(page, url, user.username)
    nav(page, "服务券批次")
    page.get_by_role("link", name=batch_name).click()
    expect(page.get_by_test_id("remaining-quota")).to_have_text("¥20,000.00")
    page.get_by_label("申领金额（元）").fill(yuan)
    page.get_by_role("button", name="提交申领").click()
    expect(page.get_by_text(f"已提交 ¥{yuan}.00 的申领")).to_be_visible()
    return page


def test_unit_opens_enterprises_claim_priority_first_wallets_shown(live_server, page, browser, nav):
    unit = city_unit_user("440100", username="gz_batches")
    device = totp_device(unit)
    plain = approved_enterprise(name="广州普通企业有限公司")
    priority = approved_enterprise(name="广州专精特新企业有限公司", tags=["zjtx"])
    url = live_server.url

    log_in(page, url, "gz_batches", device)
    nav(page, "服务券批次")
    page.get_by_role("link", name="新建批次").click()
    now = clock.now()
    page.get_by_label("批次名称").fill("浏览器测试批次")
    page.get_by_label("发放总额（元）").fill("1000")
    page.get_by_label("申领开始时间").fill((now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("申领结束时间").fill((now + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("服务完成期间起").fill(now.date().isoformat())
    page.get_by_label("服务完成期间止").fill((now.date() + timedelta(days=120)).isoformat())
    page.get_by_label("有效期至").fill((now.date() + timedelta(days=120)).isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("批次已保存为草稿")).to_be_visible()
    page.get_by_role("button", name="开放申领").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("开放申领")
    batch = Batch.objects.get()

    first = claim_as(page.context.browser, url, enterprise_user(plain), "浏览器测试批次", "600", nav)
    expect(first.get_by_test_id("queue-place")).to_have_text("第 1 位（共 1 家）")
    second = claim_as(page.context.browser, url, enterprise_user(priority), "浏览器测试批次", "600", nav)
    expect(second.get_by_test_id("queue-place")).to_have_text("第 1 位（共 2 家）")  # priority goes first

    with time_machine.travel(batch.claim_end + timedelta(minutes=1), tick=True):
        page.reload()
        page.get_by_role("button", name="分配").click()
        expect(page.get_by_text("批次已分配，结果已公示")).to_be_visible()
        expect(page.get_by_test_id("batch-status")).to_have_text("已分配")
        rows = page.get_by_test_id("claims").locator("tbody tr")
        expect(rows.nth(0)).to_contain_text("广州专精特新企业有限公司")
        expect(rows.nth(0)).to_contain_text("¥600.00")
        expect(rows.nth(1)).to_contain_text("广州普通企业有限公司")
        expect(rows.nth(1)).to_contain_text("¥400.00")

        for enterprise_page, usable in ((second, "¥600.00"), (first, "¥400.00")):
            nav(enterprise_page, "我的服务券")
            wallet = enterprise_page.get_by_test_id(f"wallet-{batch.pk}")
            expect(wallet.get_by_test_id("wallet-usable")).to_have_text(usable)
            expect(wallet.get_by_test_id("wallet-state")).to_have_text("可使用")
            expect(wallet).to_contain_text(re.compile(r"下单期限[:：]\s*\d{4}-\d\d-\d\d 23:59:59"))
