"""No input gives a 500 (issue 14, points 5 and 11): each case the probe found answers 400 with the common
{"code", "message", "fields"} body (pages: a Chinese 400 page). NUL bytes and numbers above 2⁶³ only broke on
PostgreSQL: run this file there too."""

import json

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core import api as core_api
from smevoucher.core import parsers
from smevoucher.core.forms import YuanField
from smevoucher.core.money import parse_hundredths
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.orders import factories as order_factories
from smevoucher.orders.models import Order
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.vouchers.factories import approved_enterprise, open_batch

pytestmark = pytest.mark.django_db

HUGE = 2**64 + 7


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def assert_standard_400(response):
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"]
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/notices/?q=a%00b",
        "/api/v1/catalogue/?q=%00",
        "/api/v1/directory/check/?name=%00",
        "/api/v1/notices/?city=440100&category=%00",
        "/api/v1/cities/?x%00=1",
    ],
)
def test_a_nul_byte_in_any_query_parameter_is_a_400(client, url):
    body = assert_standard_400(client.get(url))
    assert body["code"] == "bad_request" and "NUL" in body["message"]


def test_a_nul_byte_on_a_page_is_a_chinese_400_page(client):
    for url in ("/notices/feed/rss/?city=%00", "/notices/?q=%00", "/catalogue/?q=a%00"):
        response = client.get(url)
        assert response.status_code == 400 and "请求" in response.content.decode(), url


def test_a_nul_byte_in_json_or_form_fields_is_a_400(client):
    api = APIClient()
    raw = '{"username": "a\\u0000b", "password": "x"}'
    assert_standard_400(api.post("/api/v1/auth/token/", raw, content_type="application/json"))
    assert_standard_400(api.post("/api/v1/auth/token/", {"username": "a\x00b", "password": "x"}))
    # an escaped backslash before "u0000" is ordinary text, not a NUL
    escaped = '{"username": "a\\\\u0000", "password": "x"}'
    harmless = api.post("/api/v1/auth/token/", escaped, content_type="application/json")
    assert harmless.json()["code"] == "invalid_credentials"


def test_ledger_filter_by_a_batch_that_is_not_a_number_is_a_400():
    api = as_user(city_unit_user())
    body = assert_standard_400(api.get("/api/v1/ledger/", {"batch": "abc"}))
    assert "batch" in body["fields"]
    assert_standard_400(api.get("/api/v1/ledger/", {"batch": str(HUGE)}))
    assert api.get("/api/v1/ledger/", {"batch": "999999"}).status_code == 404


def test_json_nested_thousands_deep_is_a_400():
    enterprise = approved_enterprise()
    batch = open_batch()
    deep = '{"amount_fen": ' + "[" * 3000 + "]" * 3000 + "}"
    api = as_user(enterprise_user(enterprise))
    body = assert_standard_400(api.post(f"/api/v1/batches/{batch.pk}/claims/", deep, content_type="application/json"))
    assert body["code"] == "parse_error"
    shallow = '{"amount_fen": ' + "[" * 40 + "]" * 40 + "}"
    assert_standard_400(api.post(f"/api/v1/batches/{batch.pk}/claims/", shallow, content_type="application/json"))


@pytest.fixture
def w(db):
    return order_factories.world()


def test_integers_above_two_to_the_63_on_a_payment_are_a_400(w):
    order = order_factories.advance(w, order_factories.place(w, expected_fen=1_000_00), Order.Status.COMPLETED)
    data = order_factories.payment_data(w, order)
    body = {
        "invoice_number": data["invoice_number"],
        "invoice_date": data["invoice_date"].isoformat(),
        "invoice_fen": HUGE,
        "own_share_fen": data["own_share_fen"],
        "voucher_fen": data["voucher_fen"],
        "invoice": data["invoice_id"],
        "transfer_proof": data["transfer_proof_id"],
    }
    api = as_user(w.enterprise_user)
    response = api.post(f"/api/v1/orders/{order.pk}/payment/", body, format="json")
    assert "invoice_fen" in assert_standard_400(response)["fields"]
    body = {**body, "invoice_fen": 1, "invoice": HUGE}
    response = api.post(f"/api/v1/orders/{order.pk}/payment/", body, format="json")
    assert_standard_400(response)


def test_integers_above_two_to_the_63_on_a_product_are_a_400():
    api = as_user(provider_user_of(approved_provider()))
    single = api.post("/api/v1/products/", {"name": "咨询", "pricing": "single", "price_fen": HUGE}, format="json")
    assert "price_fen" in assert_standard_400(single)["fields"]
    tiers = api.post(
        "/api/v1/products/",
        {"name": "培训", "pricing": "tiers", "tiers": [{"name": "基础", "price_fen": HUGE}]},
        format="json",
    )
    assert "tiers" in assert_standard_400(tiers)["fields"]


@pytest.mark.parametrize("amount", ["１２３", "1_000", "١٢٣", "12３", True])
def test_amounts_take_only_ascii_digits_in_the_api(amount):
    enterprise = approved_enterprise()
    batch = open_batch()
    api = as_user(enterprise_user(enterprise))
    body = assert_standard_400(api.post(f"/api/v1/batches/{batch.pk}/claims/", {"amount_fen": amount}, format="json"))
    assert "amount_fen" in body["fields"]
    assert not batch.claims.exists()


@pytest.mark.parametrize("text", ["１２３", "１２３.４５", "12.３", "١٢٣", "1_000"])
def test_amounts_take_only_ascii_digits_in_forms(text):
    with pytest.raises(ValueError):
        parse_hundredths(text)
    from django import forms

    class Form(forms.Form):
        amount = YuanField()

    form = Form({"amount": text})
    assert not form.is_valid() and "amount" in form.errors
    assert Form({"amount": "123.45"}).is_valid()


def test_a_claim_page_with_a_full_width_amount_claims_nothing(client):
    enterprise = approved_enterprise()
    batch = open_batch()
    client.force_login(enterprise_user(enterprise))
    response = client.post(f"/vouchers/batches/{batch.pk}/claim/", {"amount_fen": "１２３"})
    assert response.status_code in (200, 302, 400)
    assert not batch.claims.exists()
    client.post(f"/vouchers/batches/{batch.pk}/claim/", {"amount_fen": "123"})
    assert batch.claims.get().amount_fen == 12300


def _all_serializers():
    import smevoucher.urls  # noqa: F401  (imports every api module)

    pending, seen = [serializers.Serializer], set()
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                pending.append(sub)
    return [cls for cls in seen if cls.__module__.startswith("smevoucher.")]


def _fields(cls):
    for name, field in getattr(cls, "_declared_fields", {}).items():
        yield f"{cls.__name__}.{name}", name, field
        child = getattr(field, "child", None)
        if child is not None:
            yield f"{cls.__name__}.{name}[]", name, child


def test_every_integer_the_api_reads_is_bounded_and_ascii_and_every_amount_is_a_fen_field():
    """One place for the rule: a plain DRF IntegerField would read "１２３" and pass 2⁶⁴ to the database."""
    classes = _all_serializers()
    assert len(classes) > 30
    plain, loose_amounts = [], []
    for cls in classes:
        for label, name, field in _fields(cls):
            if isinstance(field, serializers.IntegerField) and not isinstance(field, core_api.IntegerField):
                plain.append(label)
            if cls.__name__.endswith("Input") and name.endswith("_fen") and not isinstance(field, core_api.FenField):
                loose_amounts.append(label)
    assert plain == [] and loose_amounts == []


def test_the_json_parser_counts_depth_without_recursion():
    assert parsers._depth_exceeds(json.loads("[" * 33 + "]" * 33), 32)
    assert not parsers._depth_exceeds({"a": [{"b": 1}]}, 32)


@pytest.mark.parametrize("value", ["１２３", str(HUGE), "-5", "abc"])
def test_catalogue_price_filters_take_only_ascii_amounts(client, value):
    assert "price_min_fen" in assert_standard_400(client.get("/api/v1/catalogue/", {"price_min_fen": value}))["fields"]
    assert client.get("/api/v1/catalogue/", {"price_min_fen": "123"}).status_code == 200


def test_a_body_over_the_size_limit_is_a_400_in_the_api_format(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert_standard_400(response)
