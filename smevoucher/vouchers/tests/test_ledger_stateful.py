"""Hypothesis stateful test (DESIGN §4): random sequences of claims, allocation, earmarks, payments, releases,
refunds, redemptions, reclaims, sweeps and the passing of time; after every step every invariant holds."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from smevoucher.accounts.factories import city_unit_user, provider_user
from smevoucher.core import clock
from smevoucher.core.errors import DomainError
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.vouchers import selectors, services
from smevoucher.vouchers.factories import approved_enterprise, batch_terms
from smevoucher.vouchers.models import Batch, Claim, LedgerAccount, LedgerEntry, LedgerTransaction

pytestmark = pytest.mark.django_db

fen = st.integers(min_value=1, max_value=600_00)
share = st.integers(min_value=1, max_value=120)  # percent of the source's balance: sometimes more than it holds


def part_of(batch, percent, **account) -> int:
    held = LedgerAccount.objects.filter(batch=batch, **account).values_list("balance_fen", flat=True).first() or 0
    return max(1, held * percent // 100)


def balances() -> dict[int, int]:
    return dict(LedgerAccount.objects.values_list("pk", "balance_fen"))


class LedgerMachine(RuleBasedStateMachine):
    world: dict = {}

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # every example runs in a savepoint that is rolled back at teardown
        self.traveller = time_machine.travel(clock.now(), tick=False)
        self.clock = self.traveller.start()
        self.orders: dict[int, int] = {}  # order id → enterprise id
        self.next_order = 1
        self.allocated = False

    def teardown(self):
        self.traveller.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize(
        total=st.integers(min_value=1, max_value=2000_00),
        partial=st.booleans(),
        claims=st.lists(fen, min_size=1, max_size=4),
    )
    def open_a_batch_with_claims(self, total, partial, claims):
        unit = self.world["unit"]
        batch = services.batch_create(actor=unit, **batch_terms(total_fen=total, partial_last=partial))
        self.batch = services.batch_open(actor=unit, batch_id=batch.pk)
        for index, amount in enumerate(claims):
            self.claim(index, amount)

    def refused(self, action) -> bool:
        """Run a service; a refusal must leave every balance and the ledger unchanged."""
        before, count = balances(), LedgerTransaction.objects.count()
        try:
            action()
        except DomainError:
            assert balances() == before and LedgerTransaction.objects.count() == count
            return True
        return False

    def enterprise(self, index):
        return self.world["enterprises"][index % len(self.world["enterprises"])]

    @precondition(lambda self: not self.allocated)
    @rule(index=st.integers(0, 3), amount=fen)
    def claim(self, index, amount):
        enterprise = self.enterprise(index)
        self.refused(
            lambda: services.claim_submit(actor=enterprise_user(enterprise), batch_id=self.batch.pk, amount_fen=amount)
        )

    @precondition(lambda self: self.allocated)
    @rule(days=st.integers(0, 12), last_second=st.booleans())
    def time_passes(self, days, last_second):
        """Days go by; sometimes to the last second of the batch's next deadline, or just past it."""
        self.clock.shift(timedelta(days=days))
        if last_second:
            batch = Batch.objects.get(pk=self.batch.pk)
            ahead = [d for d in (batch.order_deadline, batch.expires_at) if d > clock.now()]
            if ahead:
                self.clock.move_to(min(ahead))

    @precondition(lambda self: not self.allocated)
    @rule()
    def window_closes_and_allocation_runs(self):
        self.clock.move_to(self.batch.claim_end + timedelta(seconds=1))
        services.batch_allocate(actor=None, batch_id=self.batch.pk)
        self.allocated = True

    @precondition(lambda self: self.allocated)
    @rule(index=st.integers(0, 3), percent=share)
    def earmark(self, index, percent):
        enterprise, order_id = self.enterprise(index), self.next_order
        amount = part_of(self.batch, percent, kind="wallet", enterprise=enterprise)
        self.next_order += 1
        if not self.refused(
            lambda: services.wallet_earmark(
                actor=None, batch_id=self.batch.pk, enterprise_id=enterprise.pk, order_id=order_id, amount_fen=amount
            )
        ):
            self.orders[order_id] = enterprise.pk

    @precondition(lambda self: self.allocated)
    @rule(pick=st.integers(0, 50), percent=share)
    def pay(self, pick, percent):
        if self.orders:
            order_id = sorted(self.orders)[pick % len(self.orders)]
            amount = part_of(self.batch, percent, kind="escrow", order_id=order_id)
            provider = self.world["provider"]
            self.refused(
                lambda: services.escrow_pay(
                    actor=None, batch_id=self.batch.pk, order_id=order_id, provider_id=provider.pk, amount_fen=amount
                )
            )

    @precondition(lambda self: self.allocated)
    @rule(pick=st.integers(0, 50))
    def release(self, pick):
        if self.orders:
            order_id = sorted(self.orders)[pick % len(self.orders)]
            self.refused(lambda: services.escrow_release(actor=None, batch_id=self.batch.pk, order_id=order_id))

    @precondition(lambda self: self.allocated)
    @rule(index=st.integers(0, 3), percent=share)
    def refund(self, index, percent):
        enterprise, provider = self.enterprise(index), self.world["provider"]
        amount = part_of(self.batch, percent, kind="provider", provider=provider)
        self.refused(
            lambda: services.provider_refund(
                actor=None,
                batch_id=self.batch.pk,
                provider_id=provider.pk,
                enterprise_id=enterprise.pk,
                amount_fen=amount,
            )
        )

    @precondition(lambda self: self.allocated)
    @rule(percent=share)
    def redeem(self, percent):
        provider = self.world["provider"]
        amount = part_of(self.batch, percent, kind="provider", provider=provider)
        self.refused(
            lambda: services.provider_redeem(
                actor=None, batch_id=self.batch.pk, provider_id=provider.pk, amount_fen=amount
            )
        )

    @precondition(lambda self: self.allocated)
    @rule(pick=st.integers(0, 50), rule_=st.sampled_from([services.R9, services.R10]))
    def reclaim_escrow(self, pick, rule_):
        if self.orders:
            order_id = sorted(self.orders)[pick % len(self.orders)]
            self.refused(
                lambda: services.escrow_reclaim(actor=None, batch_id=self.batch.pk, order_id=order_id, rule=rule_)
            )

    @precondition(lambda self: self.allocated)
    @rule()
    def sweep(self):
        services.reclaim_sweep()

    @precondition(lambda self: self.allocated)
    @rule()
    def close(self):
        self.refused(lambda: services.batch_close(actor=self.world["unit"], batch_id=self.batch.pk))

    @invariant()
    def ledger_is_consistent(self):
        # every transaction sums to zero, cached = recomputed, nothing negative, the batch total is conserved
        assert selectors.ledger_problems() == []

    @invariant()
    def never_over_issued(self):
        batch = Batch.objects.get(pk=self.batch.pk)
        if batch.status == Batch.Status.DRAFT:
            return
        pool = LedgerAccount.objects.get(batch=batch, kind="pool")
        assert 0 <= pool.balance_fen <= batch.total_fen
        total = LedgerAccount.objects.filter(batch=batch).aggregate(s=Sum("balance_fen"))["s"]
        assert total == batch.total_fen
        # what the claims say they received equals what the ledger moved out of the pool to wallets
        allocated = Claim.objects.filter(batch=batch).aggregate(s=Sum("allocated_fen"))["s"] or 0
        moved = (
            LedgerEntry.objects.filter(
                transaction__batch=batch, transaction__kind__in=["allocation", "backfill"], account__kind="wallet"
            ).aggregate(s=Sum("amount_fen"))["s"]
            or 0
        )
        assert allocated == moved

    @invariant()
    def quotas_are_respected(self):
        for enterprise in self.world["enterprises"]:
            used = Claim.objects.filter(enterprise=enterprise).aggregate(s=Sum("quota_fen"))["s"] or 0
            assert 0 <= used <= 2_000_000


def test_ledger_invariants_hold_after_every_step():
    LedgerMachine.world = {
        "unit": city_unit_user("440100"),
        "provider": provider_user().organisation,
        "enterprises": [approved_enterprise(tags=["zjtx"] if i == 2 else None) for i in range(4)],
    }
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
