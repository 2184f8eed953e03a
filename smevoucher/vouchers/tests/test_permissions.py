"""Permission matrix (CONVENTIONS §6) for the voucher pages and API: not-yours is answered like missing."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified, provider_user, province_user
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.vouchers import services
from smevoucher.vouchers.factories import approved_enterprise, batch_terms, claim, open_batch
from smevoucher.vouchers.models import Batch, Claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    gz_unit, sz_unit = city_unit_user("440100"), city_unit_user("440300")
    gz, sz = approved_enterprise("440100"), approved_enterprise("440300")
    batch = open_batch("440100", unit=gz_unit, total_fen=500_00)
    draft = services.batch_create(actor=gz_unit, **batch_terms(name="草稿批次"))
    claim(gz, batch, 100_00)
    users = {
        "gz_enterprise": enterprise_user(gz),
        "sz_enterprise": enterprise_user(sz),
        "provider": provider_user(),
        "gz_unit": gz_unit,
        "sz_unit": sz_unit,
        "province": province_user(),
    }
    return {"batch": batch, "draft": draft, "users": users, "gz": gz}


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


BATCH_DETAIL = [
    ("gz_enterprise", 200),
    ("sz_enterprise", 404),
    ("provider", 404),
    ("gz_unit", 200),
    ("sz_unit", 404),
    ("province", 200),
]


@pytest.mark.parametrize(("who", "expected"), BATCH_DETAIL)
def test_batch_page_and_api(client, world, who, expected):
    user = world["users"][who]
    login_verified(client, user)
    assert client.get(f"/vouchers/batches/{world['batch'].pk}/").status_code == expected
    response = api_as(user).get(f"/api/v1/batches/{world['batch'].pk}/")
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("gz_enterprise", 404), ("gz_unit", 200), ("sz_unit", 404), ("province", 200)],
)
def test_drafts_are_hidden_from_enterprises(client, world, who, expected):
    assert api_as(world["users"][who]).get(f"/api/v1/batches/{world['draft'].pk}/").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("gz_unit", 200), ("sz_unit", 404), ("province", 404), ("gz_enterprise", 404), ("provider", 404)],
)
@pytest.mark.parametrize("action", ["open", "close", "allocate"])
def test_only_the_batch_city_unit_manages_it(world, who, expected, action):
    batch = world["draft"] if action == "open" else world["batch"]
    if action == "allocate":
        with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
            response = api_as(world["users"][who]).post(f"/api/v1/batches/{batch.pk}/{action}/")
    else:
        response = api_as(world["users"][who]).post(f"/api/v1/batches/{batch.pk}/{action}/")
    if action == "close" and expected == 200:
        assert response.status_code == 409  # not allocated yet: a state conflict, not a permission problem
        assert response.json()["code"] == "conflict"
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("gz_unit", 201), ("sz_unit", 201), ("province", 403), ("gz_enterprise", 403), ("provider", 403)],
)
def test_batch_create_api(world, who, expected):
    terms = batch_terms()
    payload = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in terms.items()}
    response = api_as(world["users"][who]).post("/api/v1/batches/", payload, format="json")
    assert response.status_code == expected
    if expected == 201:
        assert Batch.objects.get(pk=response.json()["id"]).city_id == world["users"][who].organisation.city_id


@pytest.mark.parametrize(
    ("who", "visible"),
    [("gz_enterprise", 1), ("sz_enterprise", 0), ("gz_unit", 2), ("sz_unit", 0), ("province", 2)],
)
def test_batch_list_is_scoped(world, who, visible):
    assert len(api_as(world["users"][who]).get("/api/v1/batches/").json()["results"]) == visible


def test_provider_cannot_list_batches(world):
    assert api_as(world["users"]["provider"]).get("/api/v1/batches/").status_code == 403


def test_claims_api_unit_sees_all_enterprise_sees_its_own_with_queue_place(world):
    batch = world["batch"]
    other = approved_enterprise("440100")
    claim(other, batch, 50_00)
    unit_rows = api_as(world["users"]["gz_unit"]).get(f"/api/v1/batches/{batch.pk}/claims/").json()["results"]
    assert len(unit_rows) == 2
    own = api_as(world["users"]["gz_enterprise"]).get(f"/api/v1/batches/{batch.pk}/claims/").json()["results"]
    assert [(r["enterprise"], r["place"], r["queue_total"]) for r in own] == [(world["gz"].pk, 1, 2)]
    assert own[0]["remaining_quota_fen"] == 2_000_000 - 100_00
    assert api_as(world["users"]["sz_unit"]).get(f"/api/v1/batches/{batch.pk}/claims/").status_code == 404


def test_claim_api_created_then_repeated(world):
    batch, user = world["batch"], enterprise_user(approved_enterprise("440100"))
    first = api_as(user).post(f"/api/v1/batches/{batch.pk}/claims/", {"amount_fen": 300_00}, format="json")
    again = api_as(user).post(f"/api/v1/batches/{batch.pk}/claims/", {"amount_fen": 300_00}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    bad = api_as(user).post(f"/api/v1/batches/{batch.pk}/claims/", {"amount_fen": "abc"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"
    over = api_as(enterprise_user(approved_enterprise())).post(
        f"/api/v1/batches/{batch.pk}/claims/", {"amount_fen": 2_000_001}, format="json"
    )
    assert over.status_code == 400 and over.json()["code"] == "quota_exceeded"
    assert "额度" in over.json()["message"]
    for who in ("sz_enterprise", "provider", "gz_unit"):
        response = api_as(world["users"][who]).post(
            f"/api/v1/batches/{batch.pk}/claims/", {"amount_fen": 1}, format="json"
        )
        assert response.status_code == 404
    assert Claim.objects.filter(batch=batch).count() == 2


@pytest.mark.parametrize(("who", "expected"), [("gz_enterprise", 200), ("gz_unit", 403), ("provider", 403)])
def test_wallet_is_for_enterprises(client, world, who, expected):
    assert api_as(world["users"][who]).get("/api/v1/wallet/").status_code == expected
    login_verified(client, world["users"][who])
    assert client.get("/vouchers/wallet/").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected", "rows"),
    [("gz_unit", 200, 1), ("sz_unit", 200, 0), ("province", 200, 1), ("gz_enterprise", 403, 0), ("provider", 403, 0)],
)
def test_ledger_api_units_only_their_city(world, who, expected, rows):
    batch = world["batch"]
    with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
        services.batch_allocate(actor=None, batch_id=batch.pk)
    response = api_as(world["users"][who]).get("/api/v1/ledger/")
    assert response.status_code == expected
    if expected == 200:
        assert len(response.json()["results"]) == rows
    if who == "sz_unit":
        assert api_as(world["users"][who]).get(f"/api/v1/ledger/?batch={batch.pk}").status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [("gz_unit", 200), ("province", 403), ("gz_enterprise", 403), ("provider", 403)],
)
def test_quota_page_only_for_city_units(client, world, who, expected):
    login_verified(client, world["users"][who])
    assert client.get("/vouchers/quota/").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("gz_unit", 200), ("sz_unit", 404), ("province", 404), ("gz_enterprise", 404)],
)
def test_edit_page_only_for_the_city_unit(client, world, who, expected):
    login_verified(client, world["users"][who])
    assert client.get(f"/vouchers/batches/{world['draft'].pk}/edit/").status_code == expected


def test_anonymous_is_sent_to_log_in(client, world):
    assert client.get("/vouchers/batches/").url.startswith("/accounts/login/")
    assert APIClient().get("/api/v1/batches/").status_code in (401, 403)


def test_the_openapi_schema_describes_the_voucher_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in ("batches/", "batches/{id}/open/", "batches/{id}/claims/", "wallet/", "ledger/"):
        assert f"/api/v1/{path}" in schema["paths"]
