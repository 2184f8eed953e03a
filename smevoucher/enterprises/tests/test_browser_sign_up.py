import re

import pytest
from playwright.sync_api import expect

from smevoucher.accounts.factories import PASSWORD
from smevoucher.enterprises.factories import licence_image, make_id_number, make_uscc
from smevoucher.enterprises.models import Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_signs_up_logs_out_logs_in_and_sees_its_home(live_server, page, nav):
    page.goto(live_server.url)
    page.get_by_role("link", name="企业注册").first.click()
    expect(page.get_by_role("heading", name="企业注册")).to_be_visible()

    code = make_uscc("440300")
    page.get_by_label("企业名称").fill("深圳浏览器测试有限公司")
    page.get_by_label("统一社会信用代码").fill(code[:17] + ("0" if code[17] != "0" else "1"))  # a typo first
    page.get_by_label("所在地市").select_option(label="深圳市")
    page.get_by_label("企业规模").select_option(label="小型")
    page.get_by_label("所属行业").select_option(label="制造业")
    page.get_by_label("法定代表人").fill("周法人")
    page.get_by_label("法人身份证号").fill(make_id_number())
    page.get_by_label("注册地址").fill("深圳市南山区科技园南区1号")
    page.get_by_label("联系人").fill("吴联系")
    page.get_by_label("联系电话").fill("0755-12345678")
    page.get_by_label("联系邮箱").fill("wu@example.test")
    page.get_by_label("用户名").fill("sz_browser")
    page.get_by_label(re.compile("^密码")).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("添加文件").set_input_files(
        [{"name": "营业执照.jpg", "mimeType": "image/jpeg", "buffer": licence_image()}]
    )
    page.get_by_role("button", name="注册").click()

    expect(page.locator("[data-field=uscc]")).to_contain_text("统一社会信用代码无效")
    assert not Enterprise.objects.exists()

    page.get_by_label("统一社会信用代码").fill(code)
    page.get_by_label(re.compile("^密码")).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("添加文件").set_input_files(
        [{"name": "营业执照.jpg", "mimeType": "image/jpeg", "buffer": licence_image()}]
    )
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("企业注册成功")).to_be_visible()
    expect(page.get_by_test_id("enterprise-name")).to_have_text("深圳浏览器测试有限公司")
    expect(page.get_by_test_id("enterprise-status")).to_have_text("待审核")

    page.get_by_role("button", name="退出").click()
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("用户名").fill("sz_browser")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/workbench/$"))  # every role lands on its workbench
    expect(page.get_by_test_id("registration-status")).to_contain_text("待审核")
    nav(page, "我的企业")
    expect(page).to_have_url(re.compile(r"/enterprises/mine/$"))
    expect(page.get_by_role("heading", name="我的企业")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_contain_text("深圳浏览器测试有限公司")
