"""R8/R9/R10 reclaims, backfill (递补), quota give-back, the sweep and its idempotence; R14 reminders."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from smevoucher.accounts.factories import city_unit_user
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.notices.models import Notification
from smevoucher.vouchers import selectors, services
from smevoucher.vouchers.errors import DeadlineNotReached
from smevoucher.vouchers.factories import approved_enterprise, claim, open_batch
from smevoucher.vouchers.models import Batch, Claim, LedgerAccount, ReminderSent

pytestmark = pytest.mark.django_db


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def allocated():
    """¥1,000 batch: A (¥600, allocated), B (¥600, ¥400 partial), C (¥500, waiting)."""
    batch = open_batch(total_fen=1000_00)
    a, b, c = approved_enterprise(), approved_enterprise(), approved_enterprise()
    for enterprise, fen in ((a, 600_00), (b, 600_00), (c, 500_00)):
        claim(enterprise, batch, fen)
    with at(batch.claim_end + timedelta(seconds=1)):
        services.batch_allocate(actor=None, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch, a, b, c


def wallet(batch, enterprise):
    return LedgerAccount.objects.get(batch=batch, kind="wallet", enterprise=enterprise).balance_fen


def test_r8_sweep_waits_for_the_last_second_then_reclaims_to_the_pool_and_backfills(allocated):
    batch, a, _b, c = allocated
    services.wallet_earmark(actor=None, batch_id=batch.pk, enterprise_id=a.pk, order_id=1, amount_fen=100_00)
    with at(batch.order_deadline):
        assert services.reclaim_sweep()["r8"] == 0
        with pytest.raises(DeadlineNotReached):
            services.wallet_reclaim(actor=None, batch_id=batch.pk, enterprise_id=a.pk, rule=services.R8)
    with at(batch.order_deadline + timedelta(seconds=1)):
        done = services.reclaim_sweep()
    assert done["r8"] == 2 and done["fen"] == 500_00 + 400_00
    # the escrow of A's order is not R8's business (R9 belongs to orders)
    assert LedgerAccount.objects.get(batch=batch, kind="escrow", order_id=1).balance_fen == 100_00
    # 递补: B's own deadline has passed, so C (waiting, next in order) receives ¥500 with a fresh 30 days
    c_claim = Claim.objects.get(enterprise=c)
    assert (c_claim.allocated_fen, c_claim.status) == (500_00, "allocated")
    assert c_claim.order_deadline > batch.order_deadline
    assert wallet(batch, c) == 500_00
    assert LedgerAccount.objects.get(batch=batch, kind="pool").balance_fen == 400_00
    assert Notification.objects.filter(user=enterprise_user(c), event="claim.backfilled").exists()
    assert selectors.ledger_problems() == []


def test_r8_gives_the_quota_back_by_default_and_not_when_the_city_says_no(allocated):
    batch, a, b, _c = allocated
    services.quota_set(
        actor=city_unit_user(), year=batch.year, annual_quota_fen=2_000_000, reclaim_gives_back_quota=False
    )
    with at(batch.order_deadline + timedelta(seconds=1)):
        services.wallet_reclaim(actor=None, batch_id=batch.pk, enterprise_id=a.pk, rule=services.R8)
    assert Claim.objects.get(enterprise=a).quota_fen == 600_00
    services.quota_set(
        actor=city_unit_user(), year=batch.year, annual_quota_fen=2_000_000, reclaim_gives_back_quota=True
    )
    with at(batch.order_deadline + timedelta(seconds=1)):
        services.wallet_reclaim(actor=None, batch_id=batch.pk, enterprise_id=b.pk, rule=services.R8)
    assert Claim.objects.get(enterprise=b).quota_fen == 600_00 - 400_00
    assert selectors.remaining_quota_fen(b, batch.year) == 2_000_000 - 200_00


def test_r10_sweep_reclaims_wallets_and_unpaid_escrows_and_the_quota_stays_used(allocated):
    batch, a, _b, c = allocated
    services.wallet_earmark(actor=None, batch_id=batch.pk, enterprise_id=a.pk, order_id=1, amount_fen=100_00)
    with at(batch.expires_at), pytest.raises(DeadlineNotReached):
        services.wallet_reclaim(actor=None, batch_id=batch.pk, enterprise_id=a.pk, rule=services.R10)
    with at(batch.expires_at + timedelta(seconds=1)):
        done = services.reclaim_sweep()
    assert (done["r10_wallets"], done["r10_escrows"]) == (2, 1)
    assert LedgerAccount.objects.get(batch=batch, kind="reclaimed").balance_fen == 1000_00
    assert LedgerAccount.objects.get(batch=batch, kind="pool").balance_fen == 0
    assert Claim.objects.get(enterprise=a).quota_fen == 600_00  # R10: still counts against the quota
    # past its validity end the batch is closed: C, never allocated, no longer counts against its quota
    assert (done["closed"], Batch.objects.get(pk=batch.pk).status) == (1, "closed")
    assert (Claim.objects.get(enterprise=c).status, Claim.objects.get(enterprise=c).quota_fen) == ("unsuccessful", 0)
    assert selectors.ledger_problems() == []


def test_the_sweep_run_twice_moves_nothing_more(allocated):
    batch, *_ = allocated
    with at(batch.order_deadline + timedelta(seconds=1)):
        first = services.reclaim_sweep()
        second = services.reclaim_sweep()
        call_command("reclaim_sweep")
    assert first["fen"] > 0 and second["fen"] == 0
    assert selectors.ledger_problems() == []


def test_r9_escrow_reclaim_goes_to_the_pool_after_the_deadline_only_then_backfills(
    allocated, django_capture_on_commit_callbacks
):
    batch, a, _b, c = allocated
    services.wallet_earmark(actor=None, batch_id=batch.pk, enterprise_id=a.pk, order_id=5, amount_fen=200_00)
    with pytest.raises(DeadlineNotReached):
        services.escrow_reclaim(actor=None, batch_id=batch.pk, order_id=5, rule=services.R9)
    with at(batch.order_deadline + timedelta(seconds=1)), django_capture_on_commit_callbacks(execute=True):
        assert services.escrow_reclaim(actor=None, batch_id=batch.pk, order_id=5, rule=services.R9) == 200_00
        assert services.escrow_reclaim(actor=None, batch_id=batch.pk, order_id=5, rule=services.R9) == 0
    assert Claim.objects.get(enterprise=a).quota_fen == 600_00 - 200_00
    # 递补 after the commit: C, next in the queue, receives what came back
    assert (Claim.objects.get(enterprise=c).allocated_fen, wallet(batch, c)) == (200_00, 200_00)
    assert selectors.ledger_problems() == []


def test_no_backfill_after_the_batch_is_closed(allocated):
    batch, a, _b, c = allocated
    services.batch_close(actor=city_unit_user(), batch_id=batch.pk)
    with at(batch.order_deadline + timedelta(seconds=1)):
        services.wallet_reclaim(actor=None, batch_id=batch.pk, enterprise_id=a.pk, rule=services.R8)
    assert Claim.objects.get(enterprise=c).allocated_fen == 0
    assert LedgerAccount.objects.get(batch=batch, kind="pool").balance_fen == 600_00


def test_reminders_seven_and_one_days_before_each_deadline_are_sent_once(allocated):
    batch, a, _b, _c = allocated
    user = enterprise_user(a)
    day = timedelta(days=1)
    with at(batch.order_deadline - 8 * day):
        assert services.send_reminders() == 0
    with at(batch.order_deadline - 7 * day):
        assert services.send_reminders() == 2  # A and B hold vouchers; C waits
        assert services.send_reminders() == 0
    with at(batch.order_deadline - day):
        call_command("send_reminders")
        call_command("send_reminders")
    sent = Notification.objects.filter(user=user, event="voucher.reminder_order").count()
    assert sent == 2
    assert ReminderSent.objects.filter(claim__enterprise=a, deadline="order").count() == 2
    with at(batch.expires_at - day):
        services.send_reminders()
    # the 7-day expiry reminder was skipped (the job did not run then): only the 1-day one is sent
    assert Notification.objects.filter(user=user, event="voucher.reminder_expiry").count() == 1
    assert ReminderSent.objects.filter(claim__enterprise=a, deadline="expiry").count() == 2


def test_a_sweep_stopped_halfway_and_run_again_ends_where_one_full_sweep_would(allocated):
    batch, _a, _b, _c = allocated
    with at(batch.order_deadline + timedelta(seconds=1)):
        first = services.reclaim_sweep(limit=1)  # stops after one wallet
        rest = services.reclaim_sweep()
        again = services.reclaim_sweep()
    assert (first["r8"], first["fen"]) == (1, 600_00)
    # A's ¥600 and B's ¥400 come back once each; C, backfilled with a fresh 30 days, keeps its ¥500
    assert first["fen"] + rest["fen"] == 1000_00 and again["fen"] == 0
    assert wallet(batch, _c) == 500_00
    assert selectors.ledger_problems() == []


def _reclaim_record(batch):
    """Per enterprise: its wallet, its claim's quota, and the reclaim transactions, entries and audit rows."""
    from smevoucher.core.models import AuditEvent
    from smevoucher.vouchers.models import LedgerEntry

    rows = {}
    for claim_row in Claim.objects.filter(batch=batch).order_by("enterprise_id"):
        entries = LedgerEntry.objects.filter(
            transaction__kind="reclaim_r8", transaction__object_id=str(claim_row.pk), transaction__batch=batch
        )
        account = LedgerAccount.objects.filter(batch=batch, kind="wallet", enterprise_id=claim_row.enterprise_id)
        rows[claim_row.enterprise_id] = (
            account.values_list("balance_fen", flat=True).first(),
            claim_row.quota_fen,
            claim_row.quota_returned_fen,
            sorted((e.account.kind, e.amount_fen) for e in entries),
            list(
                AuditEvent.objects.filter(action="voucher.reclaimed_r8", object_id=str(claim_row.pk)).values_list(
                    "object_type", "after"
                )
            ),
        )
    return rows


def test_the_sweep_in_chunks_writes_what_one_reclaim_per_wallet_writes(allocated, monkeypatch):
    """The sweep reclaims up to SWEEP_CHUNK wallets per database transaction, set-based; each wallet still gets its
    own ledger transaction (object: its claim), audit row and quota give-back, exactly as `wallet_reclaim`."""
    batch, a, b, c = allocated
    twin = open_batch(total_fen=1000_00)
    for enterprise, fen in ((a, 600_00), (b, 600_00), (c, 500_00)):
        claim(enterprise, twin, fen)
    with at(twin.claim_end + timedelta(seconds=1)):
        services.batch_allocate(actor=None, batch_id=twin.pk)
    twin.refresh_from_db()
    Claim.objects.filter(batch=twin).update(order_deadline=batch.order_deadline)
    monkeypatch.setattr("smevoucher.vouchers.services.reclaim.SWEEP_CHUNK", 1)
    monkeypatch.setattr("smevoucher.core.jobs.queue_after_commit", lambda *args: None)  # no backfill in between

    with at(batch.order_deadline + timedelta(seconds=1)):
        for enterprise in (a, b):
            services.wallet_reclaim(actor=None, batch_id=batch.pk, enterprise_id=enterprise.pk, rule=services.R8)
        Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.CLOSED)  # only the twin is swept now
        done = services.reclaim_sweep()

    assert (done["r8"], done["fen"]) == (2, 600_00 + 400_00)  # two chunks of one wallet each
    one_by_one, chunked = _reclaim_record(batch), _reclaim_record(twin)
    assert list(one_by_one.values()) == list(chunked.values())
    assert one_by_one[a.pk][3] == [("pool", 600_00), ("wallet", -600_00)]
    assert selectors.ledger_problems() == []
