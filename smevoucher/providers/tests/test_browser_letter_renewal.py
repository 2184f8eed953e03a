"""Issue 15.4 in a real browser: a provider whose commitment letter is of last year sees it on its workbench and
profile, uploads this year's letter (the page fits a phone and has no serious accessibility violations), and its
reviewing unit approves it."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core import clock
from smevoucher.directory.factories import directory_entry
from smevoucher.providers.factories import approved_provider, letter_pdf, provider_user_of
from smevoucher.providers.models import LetterRenewal, Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_uploads_this_years_letter_and_its_unit_approves_it(live_server, page, log_in, nav):
    provider = approved_provider(entry=directory_entry(level="municipal", city_code="440100"))
    Provider.objects.filter(pk=provider.pk).update(commitment_date=date(clock.today().year - 1, 3, 1))
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, provider_user_of(provider))
    expect(page.get_by_test_id("card-letter_to_renew")).to_be_visible()
    nav(page, "我的服务机构")
    expect(page.get_by_test_id("letter-banner")).to_be_visible()
    nav(page, "服务机构承诺书")
    expect(page.get_by_test_id("letter-status")).to_contain_text("不能确认订单或收款")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    violations = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("critical", "serious")] == []

    page.get_by_role("button", name="上传服务机构承诺书").click()  # nothing filled: the summary names the fields
    expect(page.get_by_role("alert").first).to_be_visible()
    page.get_by_label("承诺书日期").fill(clock.today().isoformat())
    page.locator("#id_letter_picker").set_input_files(
        [{"name": "承诺书.pdf", "mimeType": "application/pdf", "buffer": letter_pdf()}]
    )
    page.get_by_role("button", name="上传服务机构承诺书").click()
    expect(page.get_by_role("alert").filter(has_text="承办单位将进行审核")).to_be_visible()
    expect(page.get_by_test_id("letter-status")).to_contain_text("可以在")
    expect(page.get_by_test_id("letter-renewal").first).to_contain_text("待审核")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="退出").click()

    log_in(page, city_unit_user("440100"))
    expect(page.get_by_test_id("card-letter_review")).to_contain_text("1")
    page.goto(f"{live_server.url}/providers/{provider.pk}/")
    review = page.get_by_test_id("letter-review")
    review.get_by_label("法定代表人亲笔签字（不接受签章）").check()
    review.get_by_label("公章清晰可辨认").check()
    review.get_by_label("承诺书日期为当年").check()
    review.get_by_role("button", name="承诺书审核通过").click()
    expect(page.get_by_role("alert").filter(has_text="服务机构承诺书已审核通过")).to_be_visible()
    assert LetterRenewal.objects.get(provider=provider).status == LetterRenewal.Status.APPROVED
    assert Provider.objects.get(pk=provider.pk).commitment_date == clock.today()
