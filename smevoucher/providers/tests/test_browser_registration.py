"""The onboarding flow in a real browser: check the name, register with materials, the right unit approves,
the provider logs in as approved; an unlisted name stops at the first step."""

import re

import pytest
from playwright.sync_api import expect

from smevoucher.accounts.factories import PASSWORD, city_unit_user
from smevoucher.core import clock
from smevoucher.directory.factories import directory_entry
from smevoucher.enterprises.factories import licence_image, make_uscc
from smevoucher.providers.factories import letter_pdf
from smevoucher.providers.models import Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_unlisted_name_is_stopped_at_the_first_step(live_server, page):
    directory_entry(name="广州市中小企业服务站（荔湾站）", level="gz_station")
    page.goto(live_server.url)
    page.get_by_role("link", name="服务机构注册").click()
    expect(page.get_by_role("heading", name="服务机构注册：查询资格")).to_be_visible()
    page.get_by_label("机构全称").fill("广州市某某未列入名录的公司")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("check-result")).to_contain_text("不在示范平台名录中，不能注册")
    expect(page.get_by_role("link", name="继续注册")).to_have_count(0)
    page.goto(f"{live_server.url}/providers/register/?name=广州市某某未列入名录的公司")  # no way round it
    expect(page).to_have_url(re.compile(r"/directory/check/"))
    expect(page.get_by_role("alert").first).to_contain_text("不在示范平台名录中")
    assert not Provider.objects.exists()


def test_eligible_station_registers_is_approved_by_guangzhou_and_logs_in_as_approved(live_server, page, log_in, nav):
    directory_entry(name="广州市中小企业服务站（荔湾站）", level="gz_station")
    reviewer = city_unit_user("440100")

    page.goto(live_server.url)
    page.get_by_role("link", name="服务机构注册").click()
    page.get_by_label("机构全称").fill(" 广州市中小企业服务站(荔湾站) ")  # half-width brackets, spaces
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("check-result")).to_contain_text("符合注册资格")
    page.get_by_role("link", name="继续注册").click()

    expect(page.get_by_test_id("register-name")).to_have_text("广州市中小企业服务站（荔湾站）")
    page.get_by_label("统一社会信用代码").fill(make_uscc("440103"))
    page.get_by_label("法定代表人").fill("梁法人")
    page.get_by_label("地址").fill("广州市荔湾区测试路8号")
    page.get_by_label("开户银行").fill("中国银行广州荔湾支行")
    page.get_by_label("账户名称").fill("广州市中小企业服务站（荔湾站）")
    page.get_by_label("银行账号").fill("6216 6100 0001 2345")
    page.locator("#id_licence_picker").set_input_files(
        [{"name": "营业执照.jpg", "mimeType": "image/jpeg", "buffer": licence_image()}]
    )
    page.get_by_label("承诺书日期").fill(clock.today().isoformat())
    page.locator("#id_commitment_letter_picker").set_input_files(
        [{"name": "承诺书.pdf", "mimeType": "application/pdf", "buffer": letter_pdf()}]
    )
    page.get_by_label("联系人").fill("冯联系")
    page.get_by_label("联系电话").fill("020-81234567")
    page.get_by_label("联系邮箱").fill("liwan@example.test")
    page.get_by_label("用户名").fill("liwan_station")
    page.get_by_label(re.compile("^密码")).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="提交注册").click()

    expect(page.get_by_text("注册信息已提交")).to_be_visible()
    expect(page.get_by_test_id("provider-status")).to_have_text("待审核")
    expect(page.get_by_test_id("service-scope")).to_contain_text("仅限广州市")
    page.get_by_role("button", name="退出").click()

    log_in(page, reviewer)
    nav(page, "服务机构注册审核")
    page.get_by_role("link", name="广州市中小企业服务站（荔湾站）").click()
    expect(page.locator("iframe")).to_have_count(2)  # the licence and the letter beside the data
    page.get_by_label("法定代表人亲笔签字（不接受签章）").check()
    page.get_by_label("公章清晰可辨认").check()
    page.get_by_label("承诺书日期为当年").check()
    page.get_by_role("button", name="批准").click()
    expect(page.get_by_role("alert").filter(has_text="服务机构已审核通过")).to_be_visible()  # also in the history panel
    expect(page.get_by_test_id("provider-status")).to_have_text("已通过")
    page.get_by_role("button", name="退出").click()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("liwan_station")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/workbench/$"))  # every role lands on its workbench
    nav(page, "我的服务机构")
    expect(page).to_have_url(re.compile(r"/providers/mine/$"))
    expect(page.get_by_test_id("approved-banner")).to_contain_text("已通过审核")
    expect(page.get_by_test_id("provider-status")).to_have_text("已通过")


def test_a_unit_searches_its_review_queue_by_credit_code(live_server, page, log_in):
    from smevoucher.accounts.factories import province_user
    from smevoucher.providers.factories import register_provider

    register_provider(level="provincial")
    second = register_provider(level="provincial")
    log_in(page, province_user())
    page.goto(f"{live_server.url}/providers/?queue=1")
    expect(page.get_by_test_id("provider-row")).to_have_count(2)
    page.get_by_label("搜索").fill(second.uscc)
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("provider-row")).to_have_count(1)
    expect(page.get_by_test_id("provider-row")).to_contain_text(second.organisation.name)
    assert "queue=1" in page.url  # the search stays within the unit's own queue
    page.get_by_label("搜索").fill("没有这家机构")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
