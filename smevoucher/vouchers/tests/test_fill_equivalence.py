"""The set-based fill (services/fill.py) gives exactly what the previous per-claim walk gave (R6), on seeded random
batches: the same claims filled, the same amounts, statuses and deadlines, the same wallets and ledger entries."""

import random
from datetime import timedelta

import pytest
import time_machine

from smevoucher.core import clock
from smevoucher.vouchers import services
from smevoucher.vouchers.factories import approved_enterprise, claim, open_batch
from smevoucher.vouchers.models import Claim, LedgerAccount, LedgerEntry, LedgerTransaction
from smevoucher.vouchers.selectors import ledger_problems
from smevoucher.vouchers.services.batches import _order_deadline

pytestmark = pytest.mark.django_db


def per_row_fill(queue: list[dict], pool: int, partial_last: bool) -> dict[int, int]:
    """The previous algorithm, claim by claim: {claim id: fen given}. `queue` is in allocation order."""
    grants = {}
    for row in queue:
        if pool <= 0:
            break
        want = row["amount_fen"] - row["allocated_fen"]
        if want <= 0:
            continue
        if want > pool and not partial_last:
            break
        give = min(want, pool)
        grants[row["id"]] = give
        pool -= give
    return grants


def snapshot(batch) -> dict:
    claims = {c.pk: (c.allocated_fen, c.status, c.order_deadline) for c in Claim.objects.filter(batch=batch)}
    wallets = {a.enterprise_id: a.balance_fen for a in LedgerAccount.objects.filter(batch=batch, kind="wallet")}
    pool = LedgerAccount.objects.get(batch=batch, kind="pool").balance_fen
    return {"claims": claims, "wallets": wallets, "pool": pool}


def expected_after(before: dict, batch, grants: dict[int, int], deadline) -> dict:
    claims = dict(before["claims"])
    wallets = dict(before["wallets"])
    by_id = {c.pk: c for c in Claim.objects.filter(batch=batch)}
    for claim_id, give in grants.items():
        allocated = claims[claim_id][0] + give
        status = "allocated" if allocated == by_id[claim_id].amount_fen else "partial"
        claims[claim_id] = (allocated, status, deadline)
        enterprise_id = by_id[claim_id].enterprise_id
        wallets[enterprise_id] = wallets.get(enterprise_id, 0) + give
    return {"claims": claims, "wallets": wallets, "pool": before["pool"] - sum(grants.values())}


def queue_of(batch, before: dict, *, waiting_since=None) -> list[dict]:
    """The claims in allocation order, with what they held before the fill."""
    rows = Claim.objects.filter(batch=batch).order_by("-priority", "id")
    return [
        {"id": c.pk, "amount_fen": c.amount_fen, "allocated_fen": before["claims"][c.pk][0]}
        for c in rows
        if waiting_since is None or c.order_deadline is None or c.order_deadline >= waiting_since
    ]


def entries_of(kind) -> dict[int, int]:
    txn = LedgerTransaction.objects.get(kind=kind)
    return dict(LedgerEntry.objects.filter(transaction=txn).values_list("account__enterprise_id", "amount_fen"))


@pytest.mark.parametrize("seed, partial_last", [(1, True), (2, False), (3, True)])
def test_set_based_fill_equals_the_per_claim_walk(seed, partial_last):
    rng = random.Random(seed)
    n = 24
    amounts = [rng.randrange(1, 40) * 100_00 for _ in range(n)]
    batch = open_batch(total_fen=sum(amounts) * rng.randrange(40, 80) // 100, partial_last=partial_last)
    for amount in amounts:
        enterprise = approved_enterprise(tags=["zjtx"] if rng.random() < 0.3 else None)
        claim(enterprise, batch, amount)

    with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
        before = snapshot(batch)
        services.batch_allocate(actor=None, batch_id=batch.pk)
    batch.refresh_from_db()
    grants = per_row_fill(queue_of(batch, before), before["pool"], partial_last)
    assert grants  # the seeds give a real queue: some filled, some waiting
    assert len(grants) < n
    assert snapshot(batch) == expected_after(before, batch, grants, batch.order_deadline)
    entries = entries_of("allocation")
    assert entries.pop(None) == -sum(grants.values())
    assert entries == {Claim.objects.get(pk=k).enterprise_id: v for k, v in grants.items()}

    # Past the order deadline, two holders lose their wallets (R8, to the pool); the backfill then gives the pool
    # to the claims that still wait, skipping those whose own deadline has passed.
    with time_machine.travel(batch.order_deadline + timedelta(seconds=1), tick=False):
        holders = sorted({c.enterprise_id for c in Claim.objects.filter(batch=batch, allocated_fen__gt=0)})
        for enterprise_id in rng.sample(holders, 2):
            services.wallet_reclaim(actor=None, batch_id=batch.pk, enterprise_id=enterprise_id, rule=services.R8)
        before = snapshot(batch)
        now = clock.now()
        grants = per_row_fill(queue_of(batch, before, waiting_since=now), before["pool"], partial_last)
        given = services.batch_backfill(actor=None, batch_id=batch.pk)
        deadline = _order_deadline(batch, now)  # a backfill gets a fresh R8 deadline
    assert given == len(grants) > 0
    assert snapshot(batch) == expected_after(before, batch, grants, deadline)
    assert ledger_problems() == []
