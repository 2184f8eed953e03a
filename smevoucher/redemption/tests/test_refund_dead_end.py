"""Issue 13 (8): a refund that conflicts with a redemption application says why and what the provider must do, and
the refund list offers no approve button while approval cannot succeed."""

import pytest
from django.test import Client

from smevoucher.accounts.factories import login_verified
from smevoucher.orders import services as order_services
from smevoucher.orders.models import Order
from smevoucher.redemption import factories, services


def test_the_blocker_names_the_redemption_application_and_approve_refuses_with_it(w, payments):
    refund = order_services.refund_request(actor=w.provider_user, order_id=payments[0].order_id, reason="企业取消")
    order = Order.objects.get(pk=payments[0].order_id)
    assert order_services.refund_approval_blocker(order) is None
    factories.draft(w, payments)  # the provider bundles the payment after the request
    blocker = order_services.refund_approval_blocker(order)
    assert (
        blocker is not None and blocker.code == "in_redemption" and "服务机构先从兑现申请中移除" in str(blocker.message)
    )
    with pytest.raises(type(blocker)) as error:
        order_services.refund_approve(actor=w.unit, refund_id=refund.pk)
    assert str(error.value.message) == str(blocker.message)


def test_the_refund_list_shows_the_reason_instead_of_the_button(w, payments):
    refund = order_services.refund_request(actor=w.provider_user, order_id=payments[0].order_id, reason="企业取消")
    application = factories.draft(w, payments)
    client = Client()
    login_verified(client, w.unit)
    html = client.get("/orders/refunds/").content.decode()
    assert 'data-testid="refund-blocked"' in html and f"/orders/refunds/{refund.pk}/approve/" not in html
    services.application_remove_payment(actor=w.provider_user, application_id=application.pk, payment_id=payments[0].pk)
    html = client.get("/orders/refunds/").content.decode()
    assert 'data-testid="refund-blocked"' not in html and f"/orders/refunds/{refund.pk}/approve/" in html


def test_the_refund_list_searches_and_keeps_its_query_count(w, payments, django_assert_max_num_queries):
    for payment in payments:
        order_services.refund_request(actor=w.provider_user, order_id=payment.order_id, reason="企业取消")
    client = Client()
    login_verified(client, w.unit)
    number = Order.objects.get(pk=payments[0].order_id).number
    html = client.get("/orders/refunds/", {"q": number}).content.decode()
    assert number in html and Order.objects.get(pk=payments[1].order_id).number not in html
    with django_assert_max_num_queries(16):  # the list (one query per page, not per row) and one per menu badge source
        client.get("/orders/refunds/")


def test_the_provider_is_told_why_it_cannot_ask_for_a_refund_while_the_payment_is_bundled(w, payments):
    application = factories.draft(w, payments)
    client = Client()
    login_verified(client, w.provider_user)
    order_url = f"/orders/{payments[0].order_id}/"
    html = client.get(order_url).content.decode()
    assert 'data-testid="refund-blocked"' in html and "refund-request/" not in html
    services.application_remove_payment(actor=w.provider_user, application_id=application.pk, payment_id=payments[0].pk)
    html = client.get(order_url).content.decode()
    assert 'data-testid="refund-blocked"' not in html and "refund-request/" in html
