"""The server-rendered pages call the same services: forms parse yuan into fen and show refusals in Chinese."""

from datetime import timedelta

import pytest
import time_machine

from smevoucher.accounts.factories import city_unit_user, login_verified
from smevoucher.core import clock
from smevoucher.core.forms import YuanField
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.vouchers.factories import approved_enterprise, batch_terms, claim, open_batch
from smevoucher.vouchers.models import Batch, Claim, QuotaSetting

yuan_to_fen = YuanField().clean

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "fen"), [("5000", 500000), ("5,000.5", 500050), ("¥0.01", 1), ("12.30", 1230), (" 7 ", 700)]
)
def test_yuan_text_becomes_integer_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.234", "-5", "1e3", "5.5.5"])
def test_bad_yuan_text_is_refused(text):
    with pytest.raises(Exception) as error:
        yuan_to_fen(text)
    assert error.typename == "ValidationError"


def form_data(**overrides):
    start = clock.now() + timedelta(hours=1)
    data = {
        "name": "2026年第二批服务券",
        "total_fen": "1,000,000.00",
        "claim_start": start.strftime("%Y-%m-%dT%H:%M"),
        "claim_end": (start + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        "service_start": start.date().isoformat(),
        "service_end": (start.date() + timedelta(days=120)).isoformat(),
        "validity_end": (start.date() + timedelta(days=120)).isoformat(),
        "coverage_limit_bp": "50",
        "partial_last": "on",
    }
    data.update(overrides)
    return data


def test_unit_creates_edits_and_opens_a_batch_through_the_pages(client):
    unit = city_unit_user()
    login_verified(client, unit)
    response = client.post("/vouchers/batches/new/", form_data())
    batch = Batch.objects.get()
    assert response.url == f"/vouchers/batches/{batch.pk}/"
    assert (batch.total_fen, batch.coverage_limit_bp, batch.partial_last) == (100_000_000, 5000, True)
    entered = (clock.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    assert batch.claim_start == entered  # the form's time is Beijing time
    client.post(f"/vouchers/batches/{batch.pk}/edit/", form_data(total_fen="2000", partial_last=""))
    batch.refresh_from_db()
    assert (batch.total_fen, batch.partial_last) == (200_000, False)
    client.post(f"/vouchers/batches/{batch.pk}/open/")
    batch.refresh_from_db()
    assert batch.status == "open"
    page = client.get(f"/vouchers/batches/{batch.pk}/").content.decode()
    assert "开放申领" in page and "¥2,000.00" in page


def test_bad_batch_form_shows_chinese_errors_and_saves_nothing(client):
    login_verified(client, city_unit_user())
    response = client.post("/vouchers/batches/new/", form_data(total_fen="12.345"))
    assert response.status_code == 200 and "最多两位小数" in response.content.decode()
    response = client.post("/vouchers/batches/new/", form_data(coverage_limit_bp="150"))  # refused by the service
    assert response.status_code == 200 and "用券上限须在" in response.content.decode()
    assert not Batch.objects.exists()


def test_enterprise_claims_through_the_page_and_sees_its_place_and_quota(client):
    batch = open_batch()
    earlier = approved_enterprise()
    claim(earlier, batch, 100_00)
    enterprise = approved_enterprise()
    login_verified(client, enterprise_user(enterprise))
    page = client.get(f"/vouchers/batches/{batch.pk}/").content.decode()
    assert "¥20,000.00" in page and "提交申领" in page
    response = client.post(f"/vouchers/batches/{batch.pk}/claim/", {"amount_fen": "25000"}, follow=True)
    refused = response.content.decode()
    assert response.status_code == 400 and "超过当年剩余申领额度" in refused
    assert 'value="25000"' in refused and 'href="#id_amount_fen"' in refused  # typed amount kept, summary links it
    assert not Claim.objects.filter(enterprise=enterprise).exists()
    response = client.post(f"/vouchers/batches/{batch.pk}/claim/", {"amount_fen": "5000"}, follow=True)
    page = response.content.decode()
    assert "已提交 ¥5,000.00 的申领" in page and "第 2 位（共 2 家）" in page
    client.post(f"/vouchers/batches/{batch.pk}/claim/", {"amount_fen": "5000"})
    assert Claim.objects.filter(enterprise=enterprise).count() == 1


def test_unit_allocates_with_the_button_and_the_wallet_page_shows_deadlines(client):
    batch = open_batch(total_fen=300_00)
    enterprise = approved_enterprise()
    claim(enterprise, batch, 200_00)
    unit = city_unit_user()
    login_verified(client, unit)
    response = client.post(f"/vouchers/batches/{batch.pk}/allocate/", follow=True)
    assert "申领时间结束后方可分配" in response.content.decode()
    with time_machine.travel(batch.claim_end + timedelta(minutes=1), tick=False):
        client.post(f"/vouchers/batches/{batch.pk}/allocate/")
        page = client.get(f"/vouchers/batches/{batch.pk}/").content.decode()
        assert "已分配" in page and enterprise.name in page
        login_verified(client, enterprise_user(enterprise))
        wallet = client.get("/vouchers/wallet/").content.decode()
    assert "¥200.00" in wallet and "可使用" in wallet and "分配" in wallet
    assert batch.order_deadline.strftime("%Y-%m-%d") + " 23:59:59" in wallet


def test_unit_sets_the_quota_on_its_page(client):
    login_verified(client, city_unit_user())
    client.post("/vouchers/quota/", {"year": "2026", "annual_quota_fen": "15000", "reclaim_gives_back_quota": "on"})
    setting = QuotaSetting.objects.get()
    assert (setting.year, setting.annual_quota_fen, setting.reclaim_gives_back_quota) == (2026, 1_500_000, True)
    assert "¥15,000.00" in client.get("/vouchers/quota/").content.decode()


def test_navigation_links_per_role(client):
    login_verified(client, city_unit_user())
    page = client.get("/vouchers/batches/").content.decode()
    assert "服务券批次" in page and "年度申领额度" in page
    login_verified(client, enterprise_user(approved_enterprise()))
    page = client.get("/vouchers/batches/").content.decode()
    assert "我的服务券" in page


def test_an_absurd_amount_is_refused_with_a_message_not_an_error(client):
    login_verified(client, city_unit_user())
    response = client.post("/vouchers/batches/new/", form_data(total_fen="9" * 40))
    assert response.status_code == 200 and "金额过大" in response.content.decode()
    api_total = 10**18
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(city_unit_user())
    payload = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in batch_terms(total_fen=api_total).items()
    }
    response = api.post("/api/v1/batches/", payload, format="json")
    assert response.status_code == 400 and response.json()["fields"]["total_fen"] == ["金额过大。"]
    assert not Batch.objects.exists()


def test_the_allocate_button_says_why_it_is_disabled_in_words(client):
    """Issue 13 (8): a disabled button's reason is text on the page, not a tooltip."""
    batch = open_batch()
    login_verified(client, city_unit_user())
    html = client.get(f"/vouchers/batches/{batch.pk}/").content.decode()
    assert 'data-testid="disabled-reason"' in html and "申领时间结束后方可分配本批次服务券" in html
    assert 'title="' not in html.split('data-testid="disabled-reason"')[0].rsplit("<button", 1)[1]


def test_the_batch_list_searches_by_name(client):
    open_batch(name="2026年第一批服务券")
    login_verified(client, city_unit_user())
    assert "2026年第一批服务券" in client.get("/vouchers/batches/", {"q": "第一批"}).content.decode()
    html = client.get("/vouchers/batches/", {"q": "第九批"}).content.decode()
    assert "2026年第一批服务券" not in html and 'data-testid="empty-state"' in html
