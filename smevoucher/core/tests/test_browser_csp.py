"""Issue 14 (7): the site works under its Content-Security-Policy — key pages of every role, Swagger UI and
the Django admin load without a single CSP violation; the API token page is clicked through."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from smevoucher.accounts.factories import city_unit_user, province_user
from smevoucher.accounts.models import User
from smevoucher.accounts.tokens import token_issue
from smevoucher.catalogue.factories import published_product
from smevoucher.directory.factories import directory_entry
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise
from smevoucher.enterprises.services import enterprise_approve
from smevoucher.providers.factories import approved_provider, provider_user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording every CSP violation (DOM event and console report) into a list."""
    violations = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )

    def visit(url: str):
        response = page.goto(url)
        assert response.status < 400, f"{url}: {response.status}"
        assert "content-security-policy" in response.headers, url
        page.wait_for_load_state("networkidle")
        violations.extend(f"{url}: {v}" for v in page.evaluate("window.__csp || []"))

    return page, violations, visit


def test_key_pages_of_every_role_have_no_csp_violation(live_server, watched, log_in):
    page, violations, visit = watched
    base = live_server.url
    for path in [
        "/",
        "/flow/",
        "/notices/",
        "/catalogue/",
        "/help/",
        "/help/guide/enterprise/",
        "/accounts/login/",
        "/enterprises/signup/",
        "/directory/check/",
        "/api/docs/",
    ]:
        visit(base + path)
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # Swagger UI really ran

    unit = city_unit_user("440100")
    enterprise = sign_up_enterprise(city_code="440100")
    enterprise_approve(actor=unit, enterprise_id=enterprise.pk)
    provider = approved_provider(level="municipal", entry=directory_entry(level="municipal", city_code="440100"))
    product = published_product(provider)

    log_in(page, enterprise_user(enterprise))
    for path in [
        "/enterprises/mine/",
        "/vouchers/batches/",
        "/vouchers/wallet/",
        "/orders/",
        "/documents/",
        f"/catalogue/{product.pk}/",
        "/accounts/tokens/",
        "/notifications/",
    ]:
        visit(base + path)
    page.context.clear_cookies()

    log_in(page, provider_user_of(provider))
    for path in ["/providers/mine/", "/products/", "/products/new/", "/orders/", "/redemption/"]:
        visit(base + path)
    page.context.clear_cookies()

    log_in(page, unit)
    for path in [
        "/enterprises/",
        f"/enterprises/{enterprise.pk}/",
        "/providers/",
        f"/providers/{provider.pk}/",
        "/vouchers/batches/",
        "/vouchers/batches/new/",
        "/directory/",
        "/notices/manage/new/",
    ]:
        visit(base + path)
    page.context.clear_cookies()

    log_in(page, province_user())
    for path in ["/directory/", "/providers/", "/products/review/", "/notices/manage/"]:
        visit(base + path)
    page.context.clear_cookies()

    admin = User.objects.create_superuser("site_admin", "admin@example.test", "correct-horse-battery-9")
    log_in(page, admin)
    for path in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{admin.pk}/change/"]:
        visit(base + path)

    assert violations == []


def test_language_menu_and_print_button_work_without_inline_handlers(live_server, watched):
    page, violations, visit = watched
    visit(f"{live_server.url}/flow/")
    page.get_by_label("Language").or_(page.get_by_label("语言")).select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations == []


def test_token_page_revokes_a_token_and_logs_out_everywhere(live_server, watched, log_in):
    page, violations, visit = watched
    enterprise = sign_up_enterprise()
    user = enterprise_user(enterprise)
    token_issue(user=user, client="夜间导出脚本")
    token_issue(user=user, client="ERP 对接")
    log_in(page, user)
    visit(f"{live_server.url}{reverse('accounts:tokens')}")
    rows = page.get_by_test_id("token-row")
    expect(rows).to_have_count(2)
    rows.filter(has_text="夜间导出脚本").get_by_role("button", name="吊销").click()
    expect(page.get_by_role("alert")).to_contain_text("API 令牌已吊销")
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="在所有地方退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert not user.auth_token_set.exists()
    assert violations == []
