"""Real concurrent connections on PostgreSQL (manual 三): a suspension racing order confirmations leaves no order
confirmed after the suspension committed. Confirmations lock the provider row after the order's, and the
suspension locks it first, so each confirmation either commits before the suspension or sees it and is refused."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from smevoucher.accounts.factories import province_user
from smevoucher.core import clock
from smevoucher.core.errors import Conflict
from smevoucher.core.models import AuditEvent
from smevoucher.core.testing import run_together
from smevoucher.orders import factories
from smevoucher.orders import services as orders
from smevoucher.orders.models import Order
from smevoucher.providers.services import provider_suspend
from smevoucher.vouchers import services as vouchers
from smevoucher.vouchers.models import CapUsage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("round_", range(3))
def test_a_suspension_racing_confirmations_leaves_none_confirmed_after_it(round_):
    w = factories.world()
    placed = [factories.place(w, expected_fen=500_00) for _ in range(6)]
    unit = province_user()
    until = clock.today() + timedelta(days=30)

    def suspend():
        return provider_suspend(actor=unit, provider_id=w.provider.pk, reason="违规", until=until)

    confirms = [lambda o=o: orders.order_confirm(actor=w.provider_user, order_id=o.pk) for o in placed]
    results = run_together([*confirms[:3], suspend, *confirms[3:]])
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, Conflict) and e.code == "provider_not_eligible" for e in errors), errors
    suspended_at = AuditEvent.objects.get(action="provider.suspended").pk
    confirmed = AuditEvent.objects.filter(action="order.confirmed")
    # Audit rows are written after each side took the provider's lock, so their order is the commit order.
    assert not confirmed.filter(pk__gt=suspended_at).exists()
    count = Order.objects.filter(status=Order.Status.CONFIRMED).count()
    assert count == confirmed.count() == 6 - len(errors)
    assert sum(CapUsage.objects.values_list("reserved_fen", flat=True)) == count * 500_00


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps its first reading of the activity view unless told to drop it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_a_confirmation_that_checked_before_the_suspension_commits_before_it(monkeypatch):
    """The worst interleaving, forced: the confirmation has checked the provider and the suspension starts then.
    The suspension must wait for the confirmation (the provider row is locked), never commit in between."""
    w = factories.world()
    order, unit = factories.place(w), province_user()  # made before the threads run
    checked, suspended = threading.Event(), threading.Event()
    real_reserve = vouchers.cap_reserve

    def reserve_after_the_suspension_tried(**kwargs):
        checked.set()
        # Go on once the suspension has committed (the bug) or is seen waiting for our lock (the rule holds).
        deadline = time.monotonic() + 30  # a stuck wait fails the test instead of hanging the suite
        while not suspended.wait(0.02) and not _lock_waiters() and time.monotonic() < deadline:
            pass
        return real_reserve(**kwargs)

    monkeypatch.setattr(vouchers, "cap_reserve", reserve_after_the_suspension_tried)

    def suspend():
        checked.wait(10)
        try:
            return provider_suspend(actor=unit, provider_id=w.provider.pk, reason="违规", until=clock.today())
        finally:
            suspended.set()

    results = run_together([lambda: orders.order_confirm(actor=w.provider_user, order_id=order.pk), suspend])
    assert not [r for r in results if isinstance(r, Exception)], results
    confirmed = AuditEvent.objects.get(action="order.confirmed").pk
    assert confirmed < AuditEvent.objects.get(action="provider.suspended").pk
