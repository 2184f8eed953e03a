"""The API at DESIGN §8's names: the whole path, error format, and who may call each endpoint."""

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core import clock
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.orders import factories
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.vouchers.factories import approved_enterprise
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db


def client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_api_whole_path_from_order_to_refund(w):
    e, p, u = client(w.enterprise_user), client(w.provider_user), client(w.unit)
    r = e.post(
        "/api/v1/orders/",
        {"revision": w.revision.pk, "tier": w.tier().pk, "batch": w.batch.pk, "expected_voucher_fen": 1_200_00},
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["status"] == "placed" and r.json()["price_fen"] == 300_000
    assert p.post(f"/api/v1/orders/{pk}/confirm/").json()["status"] == "confirmed"
    contract = factories.material(w.enterprise_user, "contract", "合同")
    assert e.post(f"/api/v1/orders/{pk}/contract/", {"document": contract.pk}, format="json").status_code == 200
    assert p.post(f"/api/v1/orders/{pk}/return-contract/", {"reason": "缺页"}, format="json").status_code == 200
    e.post(f"/api/v1/orders/{pk}/contract/", {"document": contract.pk}, format="json")
    assert p.post(f"/api/v1/orders/{pk}/confirm-contract/").json()["status"] == "contract_confirmed"
    r = p.post(f"/api/v1/orders/{pk}/complete/", {"completed_on": clock.today().isoformat()}, format="json")
    assert r.json()["status"] == "completed"
    from smevoucher.orders.models import Order

    data = factories.payment_data(w, Order.objects.get(pk=pk), voucher_fen=1_000_00)
    body = {
        **{k: v for k, v in data.items() if k not in ("invoice_id", "transfer_proof_id", "invoice_date")},
        "invoice_date": data["invoice_date"].isoformat(),
        "invoice": data["invoice_id"],
        "transfer_proof": data["transfer_proof_id"],
    }
    r = e.post(f"/api/v1/orders/{pk}/payment/", body, format="json")
    assert r.json()["status"] == "payment_submitted", r.json()
    assert p.post(f"/api/v1/orders/{pk}/reject-payment/", {"reason": "发票模糊"}, format="json").status_code == 200
    e.post(f"/api/v1/orders/{pk}/payment/", body, format="json")
    r = p.post(f"/api/v1/orders/{pk}/confirm-payment/")
    assert (r.json()["status"], r.json()["voucher_fen"]) == ("payment_confirmed", 1_000_00)
    r = p.post(f"/api/v1/orders/{pk}/refund-request/", {"reason": "服务取消"}, format="json")
    assert r.status_code == 201
    refund = r.json()["id"]
    assert client(city_unit_user("440600")).post(f"/api/v1/refund-requests/{refund}/approve/").status_code == 404
    assert u.post(f"/api/v1/refund-requests/{refund}/approve/").json()["status"] == "approved"
    assert e.get(f"/api/v1/orders/{pk}/").json()["status"] == "refunded"
    assert ledger_problems() == []


def test_api_errors_have_the_common_format(w):
    e, p = client(w.enterprise_user), client(w.provider_user)
    r = e.post(
        "/api/v1/orders/",
        {"revision": w.revision.pk, "tier": w.tier().pk, "batch": w.batch.pk, "expected_voucher_fen": 9_000_00},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "validation_error"
    assert "expected_voucher_fen" in r.json()["fields"]
    order = factories.place(w)
    assert client(provider_user_of(approved_provider())).post(f"/api/v1/orders/{order.pk}/confirm/").status_code == 404
    assert client(enterprise_user(approved_enterprise())).get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert e.post(f"/api/v1/orders/{order.pk}/confirm/").status_code == 403
    r = p.post(f"/api/v1/orders/{order.pk}/confirm-payment/")
    assert (r.status_code, r.json()["code"]) == (409, "order_state")
    assert APIClient().get("/api/v1/orders/").status_code in (401, 403)


def test_api_lists_only_visible_orders(w):
    order = factories.place(w)
    other = enterprise_user(approved_enterprise())
    assert [o["id"] for o in client(w.enterprise_user).get("/api/v1/orders/").json()["results"]] == [order.pk]
    assert client(w.provider_user).get("/api/v1/orders/").json()["count"] == 1
    assert client(w.unit).get("/api/v1/orders/").json()["count"] == 1
    assert client(other).get("/api/v1/orders/").json()["count"] == 0
    assert client(city_unit_user("440600")).get("/api/v1/orders/").json()["count"] == 0
