import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from smevoucher.accounts.factories import UserFactory, city_unit_user
from smevoucher.documents.tests import corpus
from smevoucher.notices.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_unit_publishes_with_attachment_and_a_visitor_finds_and_downloads_it(
    live_server, page, browser, log_in, nav
):
    log_in(page, city_unit_user("440300"))
    nav(page, "发布通知")
    page.get_by_role("link", name="新建通知").click()
    page.get_by_label("类别").select_option(label="发放结果")
    page.get_by_label("标题").fill("深圳市2020年第一批服务券发放结果")
    page.get_by_label("正文").fill("发放结果名单见附件。")
    page.get_by_label("添加文件").set_input_files(
        [{"name": "发放名单.pdf", "mimeType": "application/pdf", "buffer": corpus.pdf((595, 842), (595, 842))}]
    )
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("heading", name="深圳市2020年第一批服务券发放结果")).to_be_visible()

    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{live_server.url}/")
    visitor.get_by_role("link", name="通知公告").click()
    visitor.get_by_label("地市").select_option(label="深圳市")
    visitor.get_by_label("类别").select_option(label="发放结果")
    visitor.get_by_role("button", name="筛选").click()
    visitor.get_by_role("link", name="深圳市2020年第一批服务券发放结果").click()
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="发放名单.pdf").click()
    with open(download_info.value.path(), "rb") as handle:
        assert len(PdfReader(io.BytesIO(handle.read())).pages) == 2

    visitor.goto(f"{live_server.url}/notices/?city=440100")
    expect(visitor.get_by_text("深圳市2020年第一批服务券发放结果")).to_have_count(0)
    visitor.context.close()


def test_reading_a_notification_lowers_the_unread_count(live_server, page, log_in):
    user = UserFactory()
    notify([user], event="order.confirmed", title="服务机构已确认您的订单", url="/documents/")
    notify([user], event="claim.allocated", title="您申领的服务券已发放")
    log_in(page, user)
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    page.get_by_test_id("notifications-link").click()
    page.get_by_role("button", name="服务机构已确认您的订单").click()
    expect(page).to_have_url(f"{live_server.url}/documents/")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")


def test_a_user_searches_the_messages_and_keeps_only_the_unread(live_server, page, log_in):
    user = UserFactory()
    notify([user], event="order.confirmed", title="服务机构已确认您的订单", url="/documents/")
    notify([user], event="claim.allocated", title="您申领的服务券已发放", url="/documents/")
    log_in(page, user)
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("button", name="服务机构已确认您的订单").click()  # read now
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_label("状态").select_option(label="未读")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("notification")).to_have_count(1)
    expect(page.get_by_test_id("notification")).to_contain_text("您申领的服务券已发放")
    page.get_by_label("搜索").fill("订单")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("empty-state")).to_contain_text("没有符合条件的消息")
    page.get_by_role("link", name="清除筛选条件").click()
    expect(page.get_by_test_id("notification")).to_have_count(2)
