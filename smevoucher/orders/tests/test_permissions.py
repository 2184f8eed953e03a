"""Who may take each step: the order's own party only. Another enterprise, another provider and a unit outside
the remit get "not found"; the other party of the order (or a unit inside the remit) gets "forbidden"; nothing
changes either way."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from smevoucher.accounts.factories import city_unit_user, province_user
from smevoucher.core import clock
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.orders import factories, services
from smevoucher.orders.models import Order
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.vouchers.factories import approved_enterprise

pytestmark = pytest.mark.django_db
S = Order.Status


def _contract(w, order):
    return {"document_id": factories.material(w.enterprise_user, "contract").pk}


def _payment(w, order):
    return factories.payment_data(w, order)


# transition: (state it starts from, the allowed side, extra arguments)
TRANSITIONS = {
    services.order_confirm: (S.PLACED, "provider", lambda w, o: {}),
    services.order_decline: (S.PLACED, "provider", lambda w, o: {"reason": "x"}),
    services.order_cancel: (S.PLACED, "enterprise", lambda w, o: {}),
    services.contract_upload: (S.CONFIRMED, "enterprise", _contract),
    services.contract_confirm: (S.CONTRACT_UPLOADED, "provider", lambda w, o: {}),
    services.contract_return: (S.CONTRACT_UPLOADED, "provider", lambda w, o: {"reason": "x"}),
    services.order_complete: (S.CONTRACT_CONFIRMED, "provider", lambda w, o: {"completed_on": clock.today()}),
    services.payment_submit: (S.COMPLETED, "enterprise", _payment),
    services.payment_confirm: (S.PAYMENT_SUBMITTED, "provider", lambda w, o: {}),
    services.payment_reject: (S.PAYMENT_SUBMITTED, "provider", lambda w, o: {"reason": "x"}),
    services.refund_request: (S.PAYMENT_CONFIRMED, "provider", lambda w, o: {"reason": "x"}),
}


@pytest.mark.parametrize("service", list(TRANSITIONS), ids=lambda s: s.__name__)
def test_only_the_orders_own_party_takes_each_step(w, service):
    start, side, arguments = TRANSITIONS[service]
    order = factories.advance(w, factories.place(w), start) if start != S.PLACED else factories.place(w)
    kwargs = arguments(w, order)
    outsiders = [
        enterprise_user(approved_enterprise()),
        provider_user_of(approved_provider()),
        city_unit_user("440600"),
    ]
    for user in outsiders:
        with pytest.raises(Http404):
            service(actor=user, order_id=order.pk, **kwargs)
    other_side = w.provider_user if side == "enterprise" else w.enterprise_user
    for user in (other_side, w.unit, province_user()):
        with pytest.raises(PermissionDenied):
            service(actor=user, order_id=order.pk, **kwargs)
    assert Order.objects.get(pk=order.pk).status == start
    allowed = w.enterprise_user if side == "enterprise" else w.provider_user
    service(actor=allowed, order_id=order.pk, **kwargs)
    if service is services.refund_request:
        assert order.refund_requests.filter(status="requested").exists()
    else:
        assert Order.objects.get(pk=order.pk).status != start


@pytest.mark.parametrize("decide", [services.refund_approve, services.refund_refuse], ids=lambda s: s.__name__)
def test_only_the_enterprises_city_unit_decides_a_refund(w, decide):
    order = factories.advance(w, factories.place(w), S.PAYMENT_CONFIRMED)
    refund = services.refund_request(actor=w.provider_user, order_id=order.pk, reason="x")
    kwargs = {"reason": "y"} if decide is services.refund_refuse else {}
    for user in (
        enterprise_user(approved_enterprise()),
        provider_user_of(approved_provider()),
        city_unit_user("440600"),
    ):
        with pytest.raises(Http404):
            decide(actor=user, refund_id=refund.pk, **kwargs)
    for user in (w.enterprise_user, w.provider_user, province_user()):
        with pytest.raises(PermissionDenied):
            decide(actor=user, refund_id=refund.pk, **kwargs)
    refund.refresh_from_db()
    assert refund.status == "requested"
    decide(actor=w.unit, refund_id=refund.pk, **kwargs)
    refund.refresh_from_db()
    assert refund.status in ("approved", "refused")
