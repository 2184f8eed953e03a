"""The permission matrix of issue 17's endpoints and pages: (who, method, path, expected status)."""

import pytest

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.feedback import services
from smevoucher.orders import factories
from smevoucher.orders.models import Order

pytestmark = pytest.mark.django_db


def test_who_may_do_what(w):
    order = factories.advance(w, factories.place(w), Order.Status.PAYMENT_CONFIRMED)
    complaint = services.complaint_file(actor=w.enterprise_user, order_id=order.pk, text="x")
    people = {
        "enterprise": w.enterprise_user,
        "provider": w.provider_user,
        "unit": w.unit,
        "other unit": city_unit_user("440300"),
        "province": province_user(),
    }
    o, c, p = order.pk, complaint.pk, w.provider.pk
    matrix = [
        ("enterprise", "get", f"/feedback/orders/{o}/rating/", 200),
        ("provider", "post", f"/api/v1/orders/{o}/rating/", 403),
        ("other unit", "post", f"/api/v1/orders/{o}/complaint/", 404),
        ("enterprise", "get", "/feedback/complaints/", 200),
        ("unit", "get", f"/feedback/complaints/{c}/", 200),
        ("province", "get", f"/feedback/complaints/{c}/", 200),
        ("provider", "get", f"/feedback/complaints/{c}/", 404),
        ("other unit", "get", f"/api/v1/complaints/{c}/", 404),
        ("province", "post", f"/api/v1/complaints/{c}/answer/", 403),
        ("enterprise", "post", f"/api/v1/complaints/{c}/answer/", 403),
        ("provider", "get", "/feedback/complaints/", 404),
        ("unit", "post", f"/api/v1/providers/{p}/suspend/", 404),  # a provincial platform: the province decides
        ("provider", "post", f"/api/v1/providers/{p}/reinstate/", 404),
        ("unit", "get", "/providers/suspensions/", 200),
        ("enterprise", "get", "/providers/suspensions/", 404),
        ("province", "post", f"/api/v1/enterprises/{w.enterprise.pk}/suspend/", 404),
        ("provider", "get", "/api/v1/provider-suspensions/", 200),
    ]
    got = []
    for who, method, path, _ in matrix:
        client = logged_in_client(people[who])
        body = {"answer": "y", "text": "y", "score": 3, "reason": "r", "until": "2099-01-01"}
        response = (
            getattr(client, method)(path, body, content_type="application/json")
            if method == "post"
            else (client.get(path))
        )
        got.append((who, method, path, response.status_code))
    assert got == matrix
