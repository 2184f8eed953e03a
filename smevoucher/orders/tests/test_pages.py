"""Pages: the same services behind forms; the flow chart with the current step and the next action; 404 for
what is not yours; bad input changes nothing."""

import io

import pytest
from django.test import Client

from smevoucher.accounts.factories import city_unit_user, logged_in_client
from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.orders import factories, services
from smevoucher.orders.models import Order, RefundRequest
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.vouchers.factories import approved_enterprise

pytestmark = pytest.mark.django_db
S = Order.Status


client = logged_in_client


def upload(name):
    f = io.BytesIO(pdf_bytes(name))
    f.name = f"{name}.pdf"
    return f


def test_order_pages_from_placing_to_refund(w):
    e, p, u = client(w.enterprise_user), client(w.provider_user), client(w.unit)
    page = e.get(f"/orders/new/{w.revision.pk}/")
    assert page.status_code == 200 and 'data-step="order"' in page.content.decode()
    r = e.post(
        f"/orders/new/{w.revision.pk}/", {"tier": w.tier().pk, "batch": w.batch.pk, "expected_voucher_fen": "1200"}
    )
    order = Order.objects.get()
    assert r.status_code == 302 and order.expected_voucher_fen == 1_200_00
    html = p.get(f"/orders/{order.pk}/").content.decode()
    assert 'aria-current="step"' in html and 'data-step="confirm_order"' in html
    assert p.post(f"/orders/{order.pk}/confirm/").status_code == 302
    assert "cap-gauge" in p.get("/orders/").content.decode()
    assert p.get("/orders/cap/").status_code == 200
    e.post(f"/orders/{order.pk}/contract/", {"files": upload("合同")})
    p.post(f"/orders/{order.pk}/confirm-contract/")
    order.refresh_from_db()
    p.post(f"/orders/{order.pk}/complete/", {"completed_on": w.batch.service_start.isoformat()})
    bad = e.post(
        f"/orders/{order.pk}/payment/",
        {
            "invoice_number": "FP1",
            "invoice_date": w.batch.service_start.isoformat(),
            "invoice_fen": "3000",
            "own_share_fen": "1000",
            "voucher_fen": "1000",
            "invoice": upload("发票"),
            "transfer_proof": upload("转账"),
        },
    )
    assert bad.status_code == 400 and Order.objects.get(pk=order.pk).status == S.COMPLETED
    e.post(
        f"/orders/{order.pk}/payment/",
        {
            "invoice_number": "FP1",
            "invoice_date": w.batch.service_start.isoformat(),
            "invoice_fen": "3000",
            "own_share_fen": "2000",
            "voucher_fen": "1000",
            "invoice": upload("发票"),
            "transfer_proof": upload("转账"),
        },
    )
    assert Order.objects.get(pk=order.pk).status == S.PAYMENT_SUBMITTED
    assert "actual-vs-expected" in p.get(f"/orders/{order.pk}/").content.decode()
    p.post(f"/orders/{order.pk}/confirm-payment/")
    p.post(f"/orders/{order.pk}/refund-request/", {"reason": "服务取消"})
    refund = RefundRequest.objects.get()
    assert u.get("/orders/refunds/").status_code == 200
    u.post(f"/orders/refunds/{refund.pk}/approve/")
    assert Order.objects.get(pk=order.pk).status == S.REFUNDED


def test_order_pages_not_yours_is_404(w):
    order = factories.place(w)
    for user in (
        enterprise_user(approved_enterprise()),
        provider_user_of(approved_provider()),
        city_unit_user("440600"),
    ):
        assert client(user).get(f"/orders/{order.pk}/").status_code == 404
        assert client(user).post(f"/orders/{order.pk}/confirm/").status_code == 404
    assert Order.objects.get(pk=order.pk).status == S.PLACED


def test_order_pages_refuse_anonymous_visitors(w):
    order = factories.place(w)
    for url in ("/orders/", f"/orders/{order.pk}/", f"/orders/new/{w.revision.pk}/", "/orders/refunds/"):
        r = Client().get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_order_place_page_shows_the_limit_error_and_changes_nothing(w):
    r = client(w.enterprise_user).post(
        f"/orders/new/{w.revision.pk}/", {"tier": w.tier().pk, "batch": w.batch.pk, "expected_voucher_fen": "2000"}
    )
    assert r.status_code == 200 and not Order.objects.exists()


def test_city_materials_page(w):
    u = client(w.unit)
    assert u.get("/orders/city-materials/").status_code == 200
    u.post("/orders/city-materials/", {"payment": "服务验收单\n企业满意度评价表", "redemption": ""})
    assert services.required_materials(w.enterprise.city_id) == ["服务验收单", "企业满意度评价表"]
    # issue 15.2: providers (and enterprises) read every city's requirements; only the unit changes them
    for user in (w.provider_user, w.enterprise_user):
        response = client(user).get("/orders/city-materials/")
        assert response.status_code == 200 and w.batch.city.slug in response.content.decode()
        assert client(user).post("/orders/city-materials/", {"payment": "x"}).status_code == 403
    assert services.required_materials(w.enterprise.city_id) == ["服务验收单", "企业满意度评价表"]


def test_the_same_invoice_number_is_shown_to_the_provider_and_the_unit_not_the_enterprise(w):
    first = factories.advance(w, factories.place(w), S.PAYMENT_SUBMITTED, invoice_number="DUP1")
    second = factories.advance(w, factories.place(w), S.PAYMENT_SUBMITTED, invoice_number="DUP1")
    for user in (w.provider_user, w.unit):
        html = client(user).get(f"/orders/{second.pk}/").content.decode()
        assert 'data-testid="duplicates"' in html and first.number in html
    assert 'data-testid="duplicates"' not in client(w.enterprise_user).get(f"/orders/{second.pk}/").content.decode()


def test_the_provider_home_loads_the_cap_gauge(w):
    services.order_confirm(actor=w.provider_user, order_id=factories.place(w, expected_fen=1_500_00).pk)
    p = client(w.provider_user)
    assert "orders/cap/" in p.get("/providers/mine/").content.decode()
    gauge = p.get("/orders/cap/").content.decode()
    assert "¥1,500.00" in gauge and "¥10,000.00" in gauge
    assert client(w.enterprise_user).get("/orders/cap/").status_code == 404
