"""The incremental run: an order's key steps queue the signals after the commit, scoped to its enterprise and
provider, and record where each side acted from."""

import pytest

from smevoucher.core import request_context
from smevoucher.core.models import ActionTrace
from smevoucher.integrity.models import RiskFlag
from smevoucher.orders import factories as orders
from smevoucher.orders.models import Order

pytestmark = [pytest.mark.integrity_events, pytest.mark.django_db(transaction=True)]


def test_an_order_completed_minutes_after_it_was_placed_is_flagged_after_commit():
    w = orders.world()
    order = orders.advance(w, orders.place(w), Order.Status.COMPLETED)
    flag = RiskFlag.objects.get(kind="implausible_timing")
    assert flag.order_id == order.pk and flag.status == RiskFlag.Status.OPEN
    assert list(flag.orders.values_list("pk", flat=True)) == [order.pk]


def test_both_sides_acting_from_one_browser_are_flagged():
    w = orders.world()
    ip_token = request_context.set_client_ip("203.0.113.7")
    agent_token = request_context.set_user_agent("Mozilla/5.0 (the same browser)")
    try:
        order = orders.advance(w, orders.place(w), Order.Status.CONFIRMED)
    finally:
        request_context.reset(ip_token)
        request_context.reset_user_agent(agent_token)
    assert ActionTrace.objects.filter(order_id=order.pk).count() == 2
    flag = RiskFlag.objects.get(kind="shared_device")
    assert "203.0.113.7" in flag.explanation
