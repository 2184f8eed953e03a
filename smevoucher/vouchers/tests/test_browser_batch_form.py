"""Issue 13 (8) in a browser: the batch form refuses a qualifying period that ends after the vouchers' validity,
keeps what was typed and links the error from the summary."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core import clock
from smevoucher.vouchers.models import Batch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_batch_form_refuses_a_service_period_past_the_validity_end(live_server, page, log_in):
    log_in(page, city_unit_user())
    page.goto(f"{live_server.url}/vouchers/batches/new/")
    start = clock.now() + timedelta(days=1)
    page.get_by_label("批次名称").fill("2026年第三批服务券")
    page.get_by_label("发放总额（元）").fill("1000000")
    page.get_by_label("申领开始时间").fill(start.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("申领结束时间").fill(start.strftime("%Y-%m-%dT16:00"))
    page.get_by_label("服务完成期间起").fill(start.date().isoformat())
    page.get_by_label("服务完成期间止").fill((start.date() + timedelta(days=200)).isoformat())
    page.get_by_label("有效期至").fill((start.date() + timedelta(days=120)).isoformat())
    page.get_by_role("button", name="保存").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("服务完成期间须在服务券有效期截止日")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("服务完成期间止")).to_be_focused()
    expect(page.get_by_label("批次名称")).to_have_value("2026年第三批服务券")
    assert not Batch.objects.exists()
