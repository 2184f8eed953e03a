"""The issue's flow in a real browser: a Guangzhou station creates a range-priced training product with tiers and 3
material sets; the Guangzhou unit returns it once with a reason; the provider fixes and resubmits; the unit approves;
a Guangzhou enterprise finds it in the catalogue."""

import re

import pytest
from playwright.sync_api import expect

from smevoucher.accounts.factories import city_unit_user
from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.catalogue.models import Product
from smevoucher.enterprises.factories import enterprise_user, licence_image, sign_up_enterprise
from smevoucher.providers.factories import approved_provider, provider_user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRAINING_ITEMS = ["plan", "syllabus", "courseware", "photos", "notice", "sign_in"]


def upload(page, field: str, name: str, *, image: bool = False):
    payload = (
        {"name": f"{name}.jpg", "mimeType": "image/jpeg", "buffer": licence_image()}
        if image
        else {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(name)}
    )
    page.locator(f"#id_{field}_picker").set_input_files([payload])


def log_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("banner").get_by_role("link", name="登录")).to_be_visible()


def test_range_priced_training_product_from_draft_to_catalogue(live_server, page, log_in, nav):
    station = approved_provider(level="gz_station")
    provider = provider_user_of(station)
    unit = city_unit_user("440100")
    enterprise = enterprise_user(sign_up_enterprise(city_code="440100"))

    # The provider writes the product.
    log_in(page, provider)
    nav(page, "我的服务产品")
    page.get_by_role("link", name="发布新产品").click()
    page.get_by_label("产品名称").fill("中小企业数字化转型实务培训")
    page.get_by_label("服务类别").select_option("training")
    expect(page.get_by_test_id("category-requirements")).to_contain_text("签到表")  # what this category needs
    page.get_by_label("服务周期").fill("培训后5个工作日内提交总结")
    page.get_by_label("广州市").check()
    page.locator("input[name=target_sizes][value=small]").check()
    page.locator("input[name=target_sizes][value=micro]").check()
    page.get_by_label("服务概述").fill("面向中小企业管理人员的数字化转型实务培训。")
    page.get_by_label("服务流程").fill("需求调研—课程定制—集中授课—考核—总结。")
    page.get_by_label("服务成果").fill("培训总结报告、学员结业证明。")
    page.get_by_label("验收标准").fill("参训率达到90%以上，企业签署验收单。")
    page.get_by_label("区间价（分档定价）").check()
    tiers = [
        ("基础班", "1天课程，20人以内", "3000"),
        ("标准班", "2天课程，40人以内", "5,800"),
        ("定制班", "3天定制课程", "8800.00"),
    ]
    for n, (name, what, price) in enumerate(tiers, start=1):
        page.get_by_label(f"第{n}档", exact=True).fill(name)
        page.get_by_label(f"第{n}档的服务内容").fill(what)
        page.get_by_label(f"第{n}档价格（元）").fill(price)
    for n, (who, product, price, source) in enumerate(
        [("甲培训公司", "数字化管理培训", "6000", "官网报价"), ("乙咨询公司", "企业数字化课程", "7500", "报价单")],
        start=1,
    ):
        page.get_by_label(f"比价{n}：机构").fill(who)
        page.get_by_label(f"比价{n}：产品").fill(product)
        page.get_by_label(f"比价{n}：价格（元）").fill(price)
        page.get_by_label(f"比价{n}：来源").fill(source)
    page.get_by_label("成本", exact=True).fill("讲师课酬、场地及教材约2400元/天。")
    page.get_by_label("利润", exact=True).fill("约15%。")
    page.get_by_label("纳税", exact=True).fill("增值税6%。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。请添加历史服务材料后提交审核。")).to_be_visible()
    expect(page.get_by_test_id("expected-evidence")).to_contain_text("签到表")
    expect(page.get_by_test_id("missing-items")).to_contain_text("需提供 3 至 5 套历史服务材料")

    # Three sets of historical materials.
    for n in range(1, 4):
        page.get_by_role("link", name="添加一套历史服务材料").click()
        page.get_by_label("服务对象或项目").fill(f"广州某制造企业{n}（2024年）")
        upload(page, "contract", f"合同{n}")
        upload(page, "invoice", f"发票{n}")
        for item in TRAINING_ITEMS:
            upload(page, f"evidence_{item}", f"{item}{n}", image=item == "photos")
        page.get_by_role("button", name="保存这套材料").click()
        expect(page.get_by_text("历史服务材料已保存。")).to_be_visible()
    expect(page.get_by_test_id("material-set")).to_have_count(3)
    expect(page.get_by_text("所需内容已齐全。")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("产品已提交审核。")).to_be_visible()
    expect(page.get_by_test_id("working-state")).to_contain_text("正在等待承办单位审核")
    log_out(page)

    # The Guangzhou unit returns it once, with a reason.
    log_in(page, unit)
    nav(page, "服务产品审核")
    page.get_by_role("link", name="中小企业数字化转型实务培训").click()
    expect(page.get_by_test_id("material-set")).to_have_count(3)
    expect(page.get_by_test_id("tier-row")).to_have_count(3)
    page.get_by_label("退回理由").fill("第3套签到表不清晰，请重新上传。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("产品已退回服务机构修改。")).to_be_visible()
    log_out(page)

    # The provider fixes the set and submits again.
    log_in(page, provider)
    nav(page, "我的服务产品")
    page.get_by_role("link", name="中小企业数字化转型实务培训").click()
    expect(page.get_by_test_id("review-note")).to_contain_text("第3套签到表不清晰")
    page.get_by_test_id("material-set").nth(2).get_by_role("link", name="更改").click()
    upload(page, "evidence_sign_in", "清晰的签到表")
    page.get_by_role("button", name="保存这套材料").click()
    expect(page.get_by_text("历史服务材料已保存。")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("产品已提交审核。")).to_be_visible()
    log_out(page)

    # The unit approves (a colleague: the first reviewer's one-time code of this half-minute is used up).
    log_in(page, city_unit_user("440100"))
    nav(page, "服务产品审核")
    page.get_by_role("link", name="中小企业数字化转型实务培训").click()
    page.get_by_role("button", name="批准").click()
    expect(page.get_by_text("产品已审核通过并上架。")).to_be_visible()
    log_out(page)
    assert Product.objects.get().status == Product.Status.PUBLISHED

    # A Guangzhou enterprise finds it.
    log_in(page, enterprise)
    nav(page, "服务产品目录")
    page.get_by_label("搜索").fill("数字化转型")
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_test_id("catalogue-item")).to_have_count(1)
    page.get_by_role("link", name="中小企业数字化转型实务培训").click()
    expect(page).to_have_url(re.compile(r"/catalogue/\d+/$"))
    expect(page.get_by_test_id("tier-row")).to_have_count(3)
    expect(page.get_by_test_id("product-price")).to_contain_text("¥5,800.00")
    expect(page.get_by_test_id("service-scope")).to_contain_text("仅限广州市")
    expect(page.get_by_test_id("provider-name")).to_have_text(station.name)
