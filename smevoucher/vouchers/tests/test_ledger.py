"""The ledger primitives orders will call, and the deadlines that hold even before any sweep (R8, R10, R12)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from smevoucher.accounts.factories import provider_user
from smevoucher.core.errors import Conflict
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.vouchers import selectors, services
from smevoucher.vouchers.errors import DeadlinePassed, InsufficientBalance
from smevoucher.vouchers.factories import approved_enterprise, claim, open_batch
from smevoucher.vouchers.models import LedgerAccount, LedgerEntry, LedgerTransaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded():
    """An allocated batch: the enterprise holds ¥1,000 in its wallet."""
    batch = open_batch(total_fen=3000_00)
    enterprise = approved_enterprise()
    claim(enterprise, batch, 1000_00)
    with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
        services.batch_allocate(actor=None, batch_id=batch.pk)
    batch.refresh_from_db()
    provider = provider_user().organisation
    return batch, enterprise, provider


def balance(batch, kind, **lookup):
    return LedgerAccount.objects.get(batch=batch, kind=kind, **lookup).balance_fen


def test_earmark_pay_refund_redeem_move_exact_amounts(funded):
    batch, enterprise, provider = funded
    actor = enterprise_user(enterprise)
    services.wallet_earmark(actor=actor, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=7, amount_fen=400_00)
    services.escrow_pay(actor=actor, batch_id=batch.pk, order_id=7, provider_id=provider.pk, amount_fen=300_00)
    services.escrow_release(actor=actor, batch_id=batch.pk, order_id=7)  # R11: the difference returns
    services.provider_refund(
        actor=None, batch_id=batch.pk, provider_id=provider.pk, enterprise_id=enterprise.pk, amount_fen=100_00
    )
    services.provider_redeem(actor=None, batch_id=batch.pk, provider_id=provider.pk, amount_fen=200_00)
    assert balance(batch, "wallet", enterprise=enterprise) == 800_00
    assert balance(batch, "escrow", order_id=7) == 0
    assert balance(batch, "provider", provider=provider) == 0
    assert balance(batch, "redeemed") == 200_00
    assert selectors.ledger_problems() == []
    kinds = list(LedgerTransaction.objects.values_list("kind", flat=True))
    assert kinds == ["allocation", "earmark", "payment", "release", "refund", "redemption"]
    assert AuditEvent.objects.filter(action="voucher.earmarked").count() == 1


def test_no_account_can_go_below_zero(funded):
    batch, enterprise, provider = funded
    with pytest.raises(InsufficientBalance):
        services.wallet_earmark(
            actor=None, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=1, amount_fen=1000_01
        )
    services.wallet_earmark(actor=None, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=1, amount_fen=10_00)
    with pytest.raises(InsufficientBalance):
        services.escrow_pay(actor=None, batch_id=batch.pk, order_id=1, provider_id=provider.pk, amount_fen=10_01)
    with pytest.raises(InsufficientBalance):
        services.provider_redeem(actor=None, batch_id=batch.pk, provider_id=provider.pk, amount_fen=1)
    assert balance(batch, "wallet", enterprise=enterprise) == 990_00
    assert selectors.ledger_problems() == []


def test_the_ledger_is_append_only(funded):
    txn = LedgerTransaction.objects.first()
    with pytest.raises(RuntimeError):
        txn.save()
    with pytest.raises(RuntimeError):
        LedgerEntry.objects.first().delete()


def test_verify_ledger_reports_a_tampered_cached_balance(funded):
    batch, _enterprise, _provider = funded
    call_command("verify_ledger")
    LedgerAccount.objects.filter(batch=batch, kind="wallet").update(balance_fen=999_00)
    with pytest.raises(CommandError):
        call_command("verify_ledger")
    assert any("cached balance" in p for p in selectors.ledger_problems())


# R8: the order deadline is 23:59:59 local time on the 30th day after the window's last day (R14).
def test_earmark_works_to_the_last_second_of_the_order_deadline_and_never_after(funded):
    batch, enterprise, _provider = funded
    deadline = batch.order_deadline
    assert (deadline.hour, deadline.minute, deadline.second) == (23, 59, 59)
    assert (deadline.date() - batch.claim_end.astimezone(deadline.tzinfo).date()).days == 30
    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        services.wallet_earmark(actor=None, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=1, amount_fen=1)
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        with pytest.raises(DeadlinePassed):
            services.wallet_earmark(
                actor=None, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=2, amount_fen=1
            )
        # no sweep has run: the balance is still in the wallet, yet nothing of it is usable
        assert balance(batch, "wallet", enterprise=enterprise) == 1000_00 - 1
        [view] = selectors.wallets_of(enterprise)
        assert (view.state, view.usable_fen) == ("order_deadline_passed", 0)


def test_expired_vouchers_cannot_be_paid_or_refunded_before_any_sweep(funded):
    batch, enterprise, provider = funded
    services.wallet_earmark(actor=None, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=1, amount_fen=100_00)
    services.escrow_pay(actor=None, batch_id=batch.pk, order_id=1, provider_id=provider.pk, amount_fen=50_00)
    expiry = batch.expires_at
    with time_machine.travel(expiry, tick=False):
        services.escrow_pay(actor=None, batch_id=batch.pk, order_id=1, provider_id=provider.pk, amount_fen=1_00)
    with time_machine.travel(expiry + timedelta(seconds=1), tick=False):
        with pytest.raises(DeadlinePassed):
            services.escrow_pay(actor=None, batch_id=batch.pk, order_id=1, provider_id=provider.pk, amount_fen=1_00)
        with pytest.raises(DeadlinePassed):
            services.provider_refund(
                actor=None, batch_id=batch.pk, provider_id=provider.pk, enterprise_id=enterprise.pk, amount_fen=1
            )
        with pytest.raises(DeadlinePassed):
            services.escrow_mark_payment_submitted(actor=None, batch_id=batch.pk, order_id=1)
        [view] = selectors.wallets_of(enterprise)
        assert (view.state, view.usable_fen) == ("expired", 0)


def test_a_payment_submitted_in_time_may_be_confirmed_after_expiry(funded):
    batch, enterprise, provider = funded
    services.wallet_earmark(actor=None, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=1, amount_fen=100_00)
    with time_machine.travel(batch.expires_at - timedelta(seconds=1), tick=False):
        services.escrow_mark_payment_submitted(actor=None, batch_id=batch.pk, order_id=1)
    with time_machine.travel(batch.expires_at + timedelta(days=3), tick=False):
        services.escrow_pay(actor=None, batch_id=batch.pk, order_id=1, provider_id=provider.pk, amount_fen=100_00)
        assert services.reclaim_sweep()["r10_escrows"] == 0
    assert balance(batch, "provider", provider=provider) == 100_00


def test_coverage_limit_rounds_down_to_the_fen(funded):
    batch, *_ = funded
    assert batch.coverage_limit_fen(333) == 166  # 50 % of ¥3.33


@pytest.mark.parametrize(
    ("window_end_local", "deadline_local"),
    [
        ("2026-03-01 23:30", "2026-03-31 23:59:59"),  # 15:30 UTC on 1 March
        ("2026-03-02 00:30", "2026-04-01 23:59:59"),  # 16:30 UTC on 1 March: the local date counts (R14)
    ],
)
def test_order_deadline_counts_local_calendar_days(window_end_local, deadline_local):
    from datetime import datetime

    from django.utils import timezone

    from smevoucher.vouchers.models import Batch

    end = timezone.make_aware(datetime.strptime(window_end_local, "%Y-%m-%d %H:%M"))
    batch = Batch(claim_start=end - timedelta(hours=6), claim_end=end)
    assert timezone.localtime(batch.order_deadline).strftime("%Y-%m-%d %H:%M:%S") == deadline_local


def test_a_refund_goes_only_to_an_enterprise_that_holds_vouchers_of_the_batch(funded):
    batch, enterprise, provider = funded
    services.wallet_earmark(actor=None, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=1, amount_fen=10_00)
    services.escrow_pay(actor=None, batch_id=batch.pk, order_id=1, provider_id=provider.pk, amount_fen=10_00)
    stranger = approved_enterprise()
    with pytest.raises(Conflict):
        services.provider_refund(
            actor=None, batch_id=batch.pk, provider_id=provider.pk, enterprise_id=stranger.pk, amount_fen=10_00
        )
    assert not LedgerAccount.objects.filter(batch=batch, enterprise=stranger).exists()
