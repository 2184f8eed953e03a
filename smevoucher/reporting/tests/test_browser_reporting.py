"""In a real browser: a city unit asks for an export, watches its progress bar finish and downloads the file; it
opens an order's page and reads the order's history."""

import pytest
from playwright.sync_api import expect

from smevoucher.accounts.factories import city_unit_user
from smevoucher.orders import factories
from smevoucher.orders.models import Order
from smevoucher.reporting import export_jobs, tasks
from smevoucher.reporting.models import ExportJob

from .helpers import column, read_table

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_requests_an_export_sees_it_finish_and_downloads_it(live_server, page, log_in, nav, monkeypatch):
    w = factories.world()
    order = factories.advance(w, factories.place(w), Order.Status.CONFIRMED)
    unit = city_unit_user()
    # Hold the task back so the page shows the job waiting; it is then run as a worker would.
    monkeypatch.setattr(tasks.run_export, "delay", lambda *args, **kwargs: None)

    log_in(page, unit)
    nav(page, "数据导出")
    page.get_by_label("导出内容").select_option("orders")
    page.get_by_label("格式").select_option("xlsx")
    page.get_by_role("button", name="申请导出").click()
    expect(page.get_by_text("已申请导出，正在后台生成。")).to_be_visible()
    row = page.get_by_test_id("export-job").first
    expect(row).to_have_attribute("data-status", "queued")
    expect(row.get_by_role("progressbar")).to_be_visible()

    export_jobs.export_run(job_id=ExportJob.objects.get().pk)  # the worker writes the file
    expect(row).to_have_attribute("data-status", "done", timeout=10_000)  # htmx polling picked it up
    expect(row).to_contain_text("1 行")
    with page.expect_download() as download:
        row.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    table = read_table(open(download.value.path(), "rb").read(), "xlsx")
    assert column(table, "订单编号") == [order.number] and column(table, "状态") == ["已确认，待上传合同"]


def test_a_unit_opens_an_orders_history(live_server, page, log_in):
    w = factories.world()
    order = factories.advance(w, factories.place(w), Order.Status.CONFIRMED)
    log_in(page, city_unit_user())
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    history = page.get_by_test_id("history")
    expect(history.get_by_test_id("history-event").first).to_be_visible()
    expect(history).to_contain_text("订单已确认")
    expect(history).to_contain_text("企业已下单")
    expect(history).to_contain_text(w.provider.name)
