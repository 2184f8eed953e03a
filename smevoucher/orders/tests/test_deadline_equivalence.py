"""The orders' deadline sweep (R9/R10) set-based, in chunks of orders per transaction, writes exactly what the
one-order-per-transaction path (`order_reclaim`) writes: order states, escrows and the pool, ledger transactions
and entries, claims' quota, the cap, audit rows and notifications."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from smevoucher.accounts.models import User
from smevoucher.core.models import AuditEvent
from smevoucher.notices.models import Notification
from smevoucher.orders import factories, services
from smevoucher.orders.models import Order
from smevoucher.orders.services import deadlines
from smevoucher.vouchers.models import CapUsage, Claim, LedgerAccount, LedgerTransaction
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db
S = Order.Status


def snapshot(batch, since: dict) -> dict:
    """Everything a reclaim writes, without the ids that sequences hand out."""
    txns = LedgerTransaction.objects.filter(pk__gt=since["txn"]).prefetch_related("entries__account")
    key = lambda a: (a.kind, a.enterprise_id, a.provider_id, a.order_id)  # noqa: E731 (an account made meanwhile has a new id)
    return {
        "orders": sorted(
            (o.pk, o.status, o.reserved_fen, o.closed_at is not None) for o in Order.objects.filter(batch=batch)
        ),
        "accounts": sorted((*key(a), a.balance_fen) for a in LedgerAccount.objects.filter(batch=batch)),
        "ledger": sorted(
            (t.kind, t.object_type, t.object_id, sorted((key(e.account), e.amount_fen) for e in t.entries.all()))
            for t in txns
        ),
        "claims": sorted(Claim.objects.filter(batch=batch).values_list("pk", "quota_fen", "quota_returned_fen")),
        "cap": sorted(CapUsage.objects.values_list("provider_id", "city_id", "year", "reserved_fen", "received_fen")),
        "audit": sorted(
            (a.action, a.object_type, a.object_id, repr(a.before), repr(a.after), a.reason, a.actor_id)
            for a in AuditEvent.objects.filter(pk__gt=since["audit"])
        ),
        "notifications": sorted(
            Notification.objects.filter(pk__gt=since["notification"]).values_list(
                "user_id", "event", "title", "body", "url", "object_type", "object_id"
            )
        ),
    }


def marks() -> dict:
    last = lambda model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # noqa: E731
    return {"txn": last(LedgerTransaction), "audit": last(AuditEvent), "notification": last(Notification)}


def one_by_one(now) -> int:
    """The previous sweep: every due order in its own transaction, ascending id."""
    due = Order.objects.filter(status__in=Order.WITHOUT_CONTRACT, contract_due__lt=now) | Order.objects.filter(
        status__in=[*Order.UNPAID, S.PAYMENT_REJECTED], batch__validity_end__lt=now.date()
    )
    return sum(
        services.order_reclaim(order_id=pk) is not None for pk in due.values_list("pk", flat=True).order_by("pk")
    )


def both_ways(w, moment, monkeypatch):
    """Run the chunked sweep (chunks of 2) and, rolled back to the same start, the one-by-one path; return both."""
    monkeypatch.setattr(deadlines, "ORDER_CHUNK", 2)
    results = []
    with time_machine.travel(moment, tick=False):
        for sweep in (lambda: services.order_deadline_sweep(), lambda: one_by_one(moment)):
            since = marks()
            sid = transaction.savepoint()
            count = sweep()
            assert ledger_problems() == []
            results.append((count, snapshot(w.batch, since)))
            transaction.savepoint_rollback(sid)
    return results


def test_r9_chunked_equals_one_by_one(w, monkeypatch):
    colleague = User.objects.create(username="同事", organisation=w.enterprise_user.organisation, is_active=True)
    User.objects.create(username="离职", organisation=w.enterprise_user.organisation, is_active=False)
    placed = factories.place(w, expected_fen=500_00)
    reserved = [factories.advance(w, factories.place(w, expected_fen=f), S.CONFIRMED) for f in (700_00, 300_00)]
    uploaded = factories.advance(w, factories.place(w, expected_fen=900_00), S.CONTRACT_UPLOADED)
    (chunked_count, chunked), (single_count, single) = both_ways(
        w, placed.contract_due + timedelta(seconds=1), monkeypatch
    )
    assert chunked_count == single_count == 3
    assert chunked == single
    statuses = dict((pk, status) for pk, status, _r, _c in chunked["orders"])
    assert [statuses[o.pk] for o in (placed, *reserved, uploaded)] == [S.RECLAIMED] * 3 + [S.CONTRACT_UPLOADED]
    assert {kind for kind, *_rest in chunked["ledger"]} == {LedgerTransaction.Kind.RECLAIM_NO_CONTRACT}
    assert any(user == colleague.pk for user, *_rest in chunked["notifications"])
    assert len(chunked["notifications"]) == 3 * 3  # two active enterprise users and the provider's, per order


def test_r10_chunked_equals_one_by_one(w, monkeypatch):
    orders = [
        factories.place(w, expected_fen=400_00),
        factories.advance(w, factories.place(w, expected_fen=600_00), S.CONFIRMED),
        factories.advance(w, factories.place(w, expected_fen=800_00), S.CONTRACT_CONFIRMED),
        factories.advance(w, factories.place(w, expected_fen=200_00), S.COMPLETED),
    ]
    paid = factories.advance(w, factories.place(w, expected_fen=100_00), S.PAYMENT_SUBMITTED)
    (chunked_count, chunked), (single_count, single) = both_ways(
        w, w.batch.expires_at + timedelta(seconds=1), monkeypatch
    )
    assert chunked_count == single_count == 4
    assert chunked == single
    statuses = dict((pk, status) for pk, status, _r, _c in chunked["orders"])
    assert statuses[paid.pk] == S.PAYMENT_SUBMITTED and all(statuses[o.pk] == S.RECLAIMED for o in orders)
    assert {kind for kind, *_rest in chunked["ledger"]} == {LedgerTransaction.Kind.RECLAIM_EXPIRED}
