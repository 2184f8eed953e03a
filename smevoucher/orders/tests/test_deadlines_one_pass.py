"""Issue 15.9: one sweep (`reclaim_sweep`) applies every deadline, R8, R9 and R10, in one pass and is safe to run
twice; where an order's contract deadline and its vouchers' validity end fall on the same day, R10 decides."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from smevoucher.catalogue.factories import published_product
from smevoucher.core import clock
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.orders import factories
from smevoucher.orders.models import Order
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.vouchers import services as vouchers
from smevoucher.vouchers.factories import approved_enterprise
from smevoucher.vouchers.models import Claim, LedgerAccount, LedgerEntry
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db
S = Order.Status


def balance(batch, kind, **kw):
    acc = LedgerAccount.objects.filter(batch=batch, kind=kind, **kw).first()
    return acc.balance_fen if acc else 0


def test_one_sweep_applies_r9_and_r8_in_one_pass_and_a_second_run_changes_nothing(w):
    placed = factories.place(w, expected_fen=500_00)  # no contract: R9
    left_in_wallet = balance(w.batch, "wallet", enterprise=w.enterprise)  # unused: R8
    with time_machine.travel(placed.contract_due + timedelta(seconds=1), tick=False):
        call_command("reclaim_sweep", verbosity=0)
        entries = LedgerEntry.objects.count()
        done = vouchers.reclaim_sweep()
    assert done["orders"] == 0 and done["r8"] == 0 and done["fen"] == 0  # twice: nothing more
    assert LedgerEntry.objects.count() == entries
    placed.refresh_from_db()
    assert placed.status == S.RECLAIMED and balance(w.batch, "escrow", order_id=placed.pk) == 0
    assert AuditEvent.objects.filter(action="order.reclaimed_r9").count() == 1
    assert balance(w.batch, "wallet", enterprise=w.enterprise) == 0
    assert balance(w.batch, "pool") >= 500_00 + left_in_wallet  # both back in the pool (R8, R9)
    claim = Claim.objects.get(batch=w.batch, enterprise=w.enterprise)
    assert claim.quota_returned_fen == 500_00 + left_in_wallet  # R8/R9 give the quota back (default setting)
    assert ledger_problems() == []


def test_when_the_contract_deadline_and_the_validity_end_fall_on_the_same_day_r10_decides():
    provider = approved_provider(level="provincial")
    product = published_product(provider)
    enterprise = approved_enterprise()
    claim_end = clock.now() - timedelta(hours=1)  # as factories.allocated_batch sets it
    same_day = clock.deadline_after(claim_end, 30).date()
    batch = factories.allocated_batch([(enterprise, 20_000_00)], validity_end=same_day, service_end=same_day)
    w = factories.World(
        batch=batch,
        enterprise=enterprise,
        enterprise_user=enterprise_user(enterprise),
        provider=provider,
        provider_user=provider_user_of(provider),
        product=product,
        unit=None,
    )
    order = factories.place(w, expected_fen=500_00)
    assert order.contract_due == batch.expires_at  # the same moment: 23:59:59 of the same day
    with time_machine.travel(order.contract_due + timedelta(seconds=1), tick=False):
        done = vouchers.reclaim_sweep()
        assert vouchers.reclaim_sweep()["orders"] == 0
    assert done["orders"] == 1
    order.refresh_from_db()
    assert order.status == S.RECLAIMED
    assert AuditEvent.objects.filter(action="order.reclaimed_r10").count() == 1
    assert not AuditEvent.objects.filter(action="order.reclaimed_r9").exists()
    # reclaimed for good, not back to the pool, and still counting against the annual quota
    assert balance(batch, "reclaimed") == 20_000_00 and balance(batch, "pool") == batch.total_fen - 20_000_00
    claim = Claim.objects.get(batch=batch, enterprise=enterprise)
    assert claim.quota_returned_fen == 0
    assert ledger_problems() == []
