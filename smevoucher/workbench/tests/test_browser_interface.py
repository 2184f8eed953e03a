"""Issue 13 in a real browser, on the demo data: every role lands on its workbench and follows a card to the filtered
list; the navigation has at most seven entries with badges and marks the current page; at phone size (390 × 844)
the menu is collapsed, no page scrolls sideways and the primary action is within one screen; and axe-core finds no
critical or serious violation on the key pages of every role."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from smevoucher.accounts.models import User
from smevoucher.demo import data
from smevoucher.orders.models import Order, RefundRequest
from smevoucher.redemption.models import Application
from smevoucher.vouchers.models import Batch

from .conftest import seed_demo_quickly

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
AXE = Axe()


@pytest.fixture
def demo(live_server):
    seed_demo_quickly()
    return {
        name: User.objects.get(username=name) for name in ("ent_gz2", "prov_gz1", "unit_guangzhou", "unit_province")
    }


def _session(browser, log_in, user, viewport=None):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    page = context.new_page()
    log_in(page, user, data.DEMO_PASSWORD)
    return page


def _order(username_field: str, username: str, status: str) -> Order:
    return Order.objects.filter(**{username_field: username}, status=status).order_by("pk").first()


def test_each_role_lands_on_its_workbench_and_follows_a_card_to_its_list(live_server, browser, log_in, demo, nav):
    page = _session(browser, log_in, demo["ent_gz2"])
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("heading", name=re.compile("工作台"))).to_be_visible()
    expect(page.get_by_test_id("summary-quota")).to_contain_text("¥")
    card = page.get_by_test_id("card-contract_due")
    count = int(card.get_by_test_id("card-count").inner_text())
    assert count > 0
    expect(card.get_by_test_id("card-due")).to_contain_text("最近截止")
    card.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/orders/\?status=confirmed&status=contract_returned$"))
    expect(page.locator("tr[data-testid^=order-row-]")).to_have_count(count)
    # The current page is marked in the navigation, which has at most seven entries.
    expect(page.get_by_test_id("main-nav").locator("[aria-current=page]")).to_have_text(re.compile("我的订单"))
    assert page.get_by_test_id("main-nav").locator(":scope > li").count() <= 7
    page.context.close()

    # A visitor: the home page shows the batch open now with its window, the help centre names the contacts, and
    # a wrong address gets the Chinese 404 page with the site's header and a way back.
    visitor = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    visitor.goto(f"{live_server.url}/")
    expect(visitor.get_by_test_id("open-batches")).to_contain_text(data.OPEN_BATCH["name"])
    expect(visitor.get_by_test_id("open-batches")).to_contain_text("申领时间")
    visitor.get_by_test_id("main-nav").get_by_role("link", name="帮助中心").click()
    expect(visitor.get_by_test_id("contact-person").first).to_contain_text("联系人：")
    visitor.goto(f"{live_server.url}/no-such-page/")
    expect(visitor.get_by_role("heading", name=re.compile("页面不存在"))).to_be_visible()
    expect(visitor.get_by_role("banner")).to_contain_text("广东省中小微企业服务券平台")
    visitor.get_by_role("link", name="返回首页").click()
    expect(visitor).to_have_url(f"{live_server.url}/")
    visitor.context.close()

    unit = _session(browser, log_in, demo["unit_guangzhou"])
    expect(unit).to_have_url(re.compile(r"/workbench/$"))
    refunds = unit.get_by_test_id("card-refund_review")
    expect(refunds.get_by_test_id("card-count")).to_have_text("1")
    # The badge of the group counts the waiting refund request too; the entry is one click away.
    group = unit.get_by_test_id("main-nav").locator("li.dropdown").filter(has_text="订单与兑现")
    expect(group.get_by_test_id("nav-badge")).to_be_visible()
    assert unit.get_by_test_id("main-nav").locator(":scope > li").count() <= 7
    nav(unit, "退回支付申请")
    expect(unit.locator("tr[data-testid^=refund-]")).to_have_count(RefundRequest.objects.count())
    expect(group.locator(".dropdown-toggle")).to_have_class(re.compile("active"))
    unit.go_back()
    refunds.get_by_role("link").click()
    expect(unit).to_have_url(re.compile(r"/orders/refunds/\?status=requested$"))
    expect(unit.locator("tr[data-testid^=refund-]")).to_have_count(1)
    unit.context.close()

    provider = _session(browser, log_in, demo["prov_gz1"])
    expect(provider.get_by_test_id("cap-gauge")).to_be_visible()
    provider.get_by_test_id("card-order_to_confirm").get_by_role("link").click()
    expect(provider).to_have_url(re.compile(r"/orders/\?status=placed$"))
    expect(provider.locator("tr[data-testid^=order-row-]")).to_have_count(
        Order.objects.filter(provider__organisation__users=demo["prov_gz1"], status="placed").count()
    )
    provider.context.close()


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _within_one_screen(locator) -> bool:
    """Reachable by scrolling at most one screen from the top of the page."""
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] <= 2 * PHONE["height"]


def test_phones_get_a_collapsed_menu_no_sideways_scrolling_and_the_action_within_one_screen(
    live_server, browser, log_in, demo
):
    placed = _order("provider__organisation__users__username", "prov_gz1", "placed")
    completed = _order("enterprise__organisation__users__username", "ent_gz2", "completed")
    batch = Batch.objects.filter(status="open").first()
    pages = {
        "ent_gz2": [
            (reverse("workbench:home"), "[data-testid=card-contract_due] a"),
            (reverse("orders:detail", args=[completed.pk]), "[data-testid=actions] .btn-primary"),
            (reverse("vouchers:batch_list"), "main table a"),
            (reverse("vouchers:batch_detail", args=[batch.pk]), "main form button"),
            (reverse("vouchers:wallet"), "[data-testid^=wallet-]"),
            (reverse("orders:list"), "tr[data-testid^=order-row-] a"),
            (reverse("catalogue:catalogue"), "[data-testid=catalogue-item] a"),
        ],
        "prov_gz1": [
            (reverse("workbench:home"), "[data-testid=card-order_to_confirm] a"),
            (reverse("orders:detail", args=[placed.pk]), "[data-testid=actions] .btn-primary"),
            (reverse("redemption:list"), "main table a"),
            (reverse("catalogue:my_products"), "main a.btn"),
        ],
        "unit_guangzhou": [
            (reverse("workbench:home"), "[data-testid=card-refund_review] a"),
            (reverse("orders:refund_list"), "tr[data-testid^=refund-] button"),
            (reverse("enterprises:unit_list"), "main table a"),
            (reverse("redemption:list"), "main table a"),
            (reverse("providers:unit_list"), "[data-testid=provider-row] a"),
        ],
    }
    for username, visits in pages.items():
        page = _session(browser, log_in, User.objects.get(username=username), viewport=PHONE)
        # The menu is one button; the navigation opens from it.
        expect(page.get_by_test_id("menu-toggle")).to_be_visible()
        expect(page.get_by_test_id("main-nav")).to_be_hidden()
        page.get_by_test_id("menu-toggle").click()
        expect(page.get_by_test_id("main-nav")).to_be_visible()
        for url, action in visits:
            page.goto(f"{live_server.url}{url}")
            assert _fits_the_phone(page), f"{username} {url}: the page scrolls sideways"
            assert _within_one_screen(page.locator(action).first), f"{username} {url}: {action} is too far down"
            assert _serious(page) == [], f"{username} {url} at phone size"
        page.context.close()
    # On an order page the actions come before the flow chart.
    page = _session(browser, log_in, demo["prov_gz1"], viewport=PHONE)
    page.goto(f"{live_server.url}{reverse('orders:detail', args=[placed.pk])}")
    actions = page.get_by_test_id("actions").bounding_box()
    chart = page.locator(".flow").bounding_box()
    assert actions["y"] < chart["y"]
    page.context.close()


def _serious(page) -> list[str]:
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_key_pages_of_every_role_have_no_serious_accessibility_violations(live_server, browser, log_in, demo):
    completed = _order("enterprise__organisation__users__username", "ent_gz2", "completed")
    placed = _order("provider__organisation__users__username", "prov_gz1", "placed")
    submitted = _order("provider__organisation__users__username", "prov_gz1", "payment_submitted")
    application = Application.objects.order_by("pk").first()
    batch = Batch.objects.filter(status="open").first()
    pages = {
        None: [
            reverse("core:home"),
            reverse("notices:list"),
            reverse("core:flow"),
            reverse("notices:help"),
            reverse("catalogue:catalogue"),
            reverse("accounts:login"),
            reverse("enterprises:sign_up"),
            reverse("directory:check"),
            "/no-such-page/",
        ],
        "ent_gz2": [
            reverse("workbench:home"),
            reverse("vouchers:batch_list"),
            reverse("vouchers:batch_detail", args=[batch.pk]),
            reverse("vouchers:wallet"),
            reverse("orders:list"),
            reverse("orders:detail", args=[completed.pk]),
            reverse("enterprises:home"),
            reverse("documents:list"),
            reverse("notices:notifications"),
        ],
        "prov_gz1": [
            reverse("workbench:home"),
            reverse("orders:list"),
            reverse("orders:detail", args=[placed.pk]),
            reverse("orders:detail", args=[submitted.pk]),
            reverse("redemption:list"),
            reverse("redemption:detail", args=[application.pk]),
            reverse("catalogue:my_products"),
            reverse("providers:home"),
        ],
        "unit_guangzhou": [
            reverse("workbench:home"),
            reverse("enterprises:unit_list"),
            reverse("providers:unit_list"),
            reverse("providers:change_request_list"),
            reverse("catalogue:review_queue"),
            reverse("vouchers:batch_list"),
            reverse("orders:refund_list"),
            reverse("redemption:list"),
            reverse("redemption:detail", args=[application.pk]),
            reverse("notices:manage"),
        ],
        "unit_province": [reverse("workbench:home"), reverse("directory:list")],
    }
    found = {}
    checked = 0
    for username, urls in pages.items():
        if username is None:
            context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
            page = context.new_page()
        else:
            page = _session(browser, log_in, User.objects.get(username=username))
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            problems = _serious(page)
            checked += 1
            if problems:
                found[f"{username} {url}"] = problems
        page.context.close()
    assert checked >= 25
    assert found == {}, "\n".join(f"{page}: {problems}" for page, problems in found.items())
