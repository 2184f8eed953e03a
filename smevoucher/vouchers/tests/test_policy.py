"""R19: the policy numbers are settings per year, set by the province (a city may have its own), kept with
history; a batch keeps the values in force when it opened, and every rule reads the batch's copy."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.test import Client
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city, city_unit_user, logged_in_client, provider_user, province_user
from smevoucher.catalogue.factories import published_product
from smevoucher.core import clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.vouchers import services
from smevoucher.vouchers.errors import CapExceeded
from smevoucher.vouchers.factories import approved_enterprise, batch_terms, open_batch
from smevoucher.vouchers.models import PolicySetting

pytestmark = pytest.mark.django_db

VALUES = {"cap_bp": 2000, "order_deadline_days": 20, "contract_deadline_days": 25, "coverage_limit_bp": 4000}


def set_policy(actor=None, *, year=None, city_id=None, **values):
    return services.policy_set(
        actor=actor or province_user(),
        year=year or clock.today().year,
        city_id=city_id,
        reason="粤工信函〔2026〕1号",
        **(VALUES | values),
    )


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_without_settings_the_defaults_apply():
    policy = services.policy_for(city("440100").pk, 2026)
    assert (policy.cap_bp, policy.order_deadline_days, policy.contract_deadline_days, policy.coverage_limit_bp) == (
        1000,
        30,
        30,
        5000,
    )
    assert policy.source == "default"


def test_a_city_notice_overrides_the_province_for_that_city_only_and_history_is_kept():
    gz, sz = city("440100"), city("440300")
    year = clock.today().year
    set_policy(year=year)
    set_policy(year=year, city_id=gz.pk, cap_bp=1500)
    set_policy(year=year, cap_bp=1200)  # a later province-wide change: the older row stays as history
    assert services.policy_for(gz.pk, year).cap_bp == 1500
    assert services.policy_for(gz.pk, year).source == "city"
    assert services.policy_for(sz.pk, year).cap_bp == 1200
    assert services.policy_for(sz.pk, year + 1).source == "default"
    assert [row.cap_bp for row in services.policy_history(year=year)] == [1200, 2000, 1500]  # province first
    event = AuditEvent.objects.filter(action="policy.set").order_by("-pk").first()
    assert event.before["cap_bp"] == 2000 and event.after["cap_bp"] == 1200 and event.reason


def test_only_the_province_sets_the_policy_and_bad_values_are_refused():
    with pytest.raises(Http404):
        set_policy(city_unit_user())
    with pytest.raises(ValidationFailed) as refused:
        set_policy(cap_bp=0, order_deadline_days=0, coverage_limit_bp=10001)
    assert {"cap_bp", "order_deadline_days", "coverage_limit_bp"} <= set(refused.value.fields)
    with pytest.raises(ValidationFailed) as refused:
        services.policy_set(actor=province_user(), year=clock.today().year, reason=" ", **VALUES)
    assert "reason" in refused.value.fields
    assert not PolicySetting.objects.exists()


def test_a_batch_keeps_the_values_in_force_when_it_opened():
    set_policy()
    batch = open_batch(total_fen=100_000_00)
    set_policy(cap_bp=500, order_deadline_days=10, contract_deadline_days=10, coverage_limit_bp=5000)
    batch.refresh_from_db()
    assert (batch.cap_bp, batch.order_deadline_days, batch.contract_deadline_days) == (2000, 20, 25)
    assert batch.coverage_limit_bp == 4000  # the policy's limit was the default when it was drafted
    assert batch.order_deadline == clock.deadline_after(batch.claim_end, 20)
    assert batch.contract_deadline == clock.deadline_after(batch.claim_end, 25)
    later = open_batch(total_fen=100_000_00, name="第二批")
    assert (later.cap_bp, later.order_deadline_days) == (500, 10)


def test_the_cap_sums_each_batch_total_times_its_own_share():
    set_policy(cap_bp=2000)
    first = open_batch(total_fen=100_000_00)
    set_policy(cap_bp=1000)
    open_batch(total_fen=100_000_00, name="第二批")
    assert services.cap_fen(first.city_id, first.year) == 30_000_00  # 20 % of 100,000 + 10 % of 100,000
    provider = provider_user().organisation
    services.cap_reserve(provider_id=provider.pk, batch=first, fen=30_000_00)
    with pytest.raises(CapExceeded):
        services.cap_reserve(provider_id=provider.pk, batch=first, fen=1)


def test_a_coverage_limit_above_the_policy_is_refused():
    set_policy(coverage_limit_bp=3000)
    unit = city_unit_user()
    with pytest.raises(ValidationFailed) as refused:
        services.batch_create(actor=unit, coverage_limit_bp=3001, **batch_terms())
    assert "coverage_limit_bp" in refused.value.fields
    batch = services.batch_create(actor=unit, **batch_terms())
    assert batch.coverage_limit_bp == 3000


def test_the_contract_deadline_follows_the_batch_days():
    set_policy(order_deadline_days=20, contract_deadline_days=25)
    batch = open_batch(total_fen=10_000_00)
    enterprise = approved_enterprise()
    claim = services.claim_submit(actor=enterprise_user(enterprise), batch_id=batch.pk, amount_fen=1_000_00)[0]
    claim.order_deadline = batch.order_deadline + timedelta(days=3)  # as a backfill would give
    assert services.contract_deadline(batch, claim) == min(claim.order_deadline + timedelta(days=5), batch.expires_at)


# --- API and page -------------------------------------------------------------------------------------------


def test_policy_settings_api_permissions_rule_and_400():
    year = clock.today().year
    body = {"year": year, "reason": "通知", **VALUES}
    assert APIClient().get("/api/v1/policy-settings/").status_code in (401, 403)
    assert api_as(enterprise_user(approved_enterprise())).get("/api/v1/policy-settings/").status_code == 403
    assert api_as(city_unit_user()).post("/api/v1/policy-settings/", body, format="json").status_code == 403
    province = api_as(province_user())
    created = province.post("/api/v1/policy-settings/", body | {"city": "440100"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["city"] == "440100"
    bad = province.post("/api/v1/policy-settings/", body | {"cap_bp": 0, "order_deadline_days": "x"}, format="json")
    assert bad.status_code == 400 and {"cap_bp", "order_deadline_days"} <= set(bad.json()["fields"])
    assert province.get("/api/v1/policy-settings/?year=abc").status_code == 400
    listed = api_as(city_unit_user()).get(f"/api/v1/policy-settings/?year={year}&city=440100").json()
    assert listed["in_force"]["cap_bp"] == 2000 and listed["in_force"]["source"] == "city"
    assert [row["cap_bp"] for row in listed["results"]] == [2000]


def test_quota_settings_api_permissions_rule_and_400():
    unit = api_as(city_unit_user())
    saved = unit.put("/api/v1/quota-settings/", {"year": 2026, "annual_quota_fen": 3_000_000}, format="json")
    assert saved.status_code == 200 and saved.json()["annual_quota_fen"] == 3_000_000
    assert services.quota_for(city("440100").pk, 2026).annual_quota_fen == 3_000_000
    assert [row["year"] for row in unit.get("/api/v1/quota-settings/").json()["results"]] == [2026]
    bad = unit.put("/api/v1/quota-settings/", {"year": 1900, "annual_quota_fen": -1}, format="json")
    assert bad.status_code == 400 and {"year", "annual_quota_fen"} <= set(bad.json()["fields"])
    assert api_as(province_user()).get("/api/v1/quota-settings/").status_code == 403
    assert APIClient().get("/api/v1/quota-settings/").status_code in (401, 403)


def test_the_policy_page_shows_the_values_in_force_and_the_province_sets_them():
    year = clock.today().year
    province = logged_in_client(province_user())
    page = province.get("/vouchers/policy/")
    assert page.status_code == 200 and b'data-testid="policy-cap">10%' in page.content
    form = {"year": year, "city": "", "reason": "通知", "cap_bp": "12.5", "order_deadline_days": 20}
    refused = province.post("/vouchers/policy/", form | {"contract_deadline_days": 0, "coverage_limit_bp": "50"})
    assert refused.status_code == 200 and not PolicySetting.objects.exists()
    saved = province.post("/vouchers/policy/", form | {"contract_deadline_days": 25, "coverage_limit_bp": "50"})
    assert saved.status_code == 302
    assert services.policy_for(None, year).cap_bp == 1250
    unit = logged_in_client(city_unit_user())
    shown = unit.get("/vouchers/policy/")
    assert b'data-testid="policy-cap">12.5%' in shown.content and b'name="reason"' not in shown.content
    assert unit.post("/vouchers/policy/", form).status_code == 403


def test_the_batch_page_states_the_batch_values():
    set_policy()
    batch = open_batch()
    page = logged_in_client(city_unit_user()).get(f"/vouchers/batches/{batch.pk}/").content.decode()
    assert "20%" in page.split('data-testid="batch-cap">')[1].split("</dd>")[0]
    assert page.split('data-testid="batch-coverage">')[1].startswith("40%")
    assert "20" in page.split('data-testid="batch-order-deadline">')[1].split("</dd>")[0]
    assert "25" in page.split('data-testid="batch-contract-deadline">')[1].split("</dd>")[0]


def test_rule_pages_state_the_values_that_apply_to_the_viewer():
    set_policy(cap_bp=1200, coverage_limit_bp=4500)
    set_policy(city_id=city("440100").pk, cap_bp=1500, order_deadline_days=21, contract_deadline_days=28)
    gz_enterprise = logged_in_client(enterprise_user(approved_enterprise()))
    help_page = gz_enterprise.get("/help/").content.decode()
    assert "15%" in help_page.split('data-testid="help-cap"')[1].split("</dd>")[0]
    deadlines = help_page.split('data-testid="help-deadlines"')[1].split("</dd>")[0]
    assert "21" in deadlines and "28" in deadlines
    visitor = Client().get("/help/").content.decode()
    assert "12%" in visitor.split('data-testid="help-cap"')[1].split("</dd>")[0]
    product = published_product()
    shown = Client().get(f"/catalogue/{product.pk}/").content.decode()
    assert "45%" in shown.split('data-testid="product-coverage"')[1].split("</p>")[0]
    guide = gz_enterprise.get("/help/guide/enterprise/").content.decode()
    assert "21" in guide and "28" in guide
