"""Reclaims (R8, R9, R10) and the sweep that applies them when their deadline has passed.

Each reclaim is its own short transaction that locks the batch, then the claim, then the accounts, and
moves what the locked balance holds, so a sweep can stop halfway, run twice or run beside another sweep
without moving a fen twice.
"""

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest

from smevoucher.core import audit, clock, jobs
from smevoucher.core.errors import Conflict

from ..errors import DeadlineNotReached
from ..models import Batch, Claim, LedgerAccount, LedgerTransaction
from . import ledger
from .batches import batch_backfill, batch_close, quota_for

Kind = LedgerAccount.Kind
R8, R9, R10 = "r8", "r9", "r10"

# Deadline work of the apps above vouchers, run first by `reclaim_sweep` so that one pass applies every deadline:
# orders registers its R9/R10 sweep (an order past its deadline is cancelled and its escrow reclaimed, which only
# orders can do; vouchers may not import orders). name → a function(limit=) returning how many it handled.
DEADLINE_STEPS: dict = {}


def deadline_step(name: str, sweep) -> None:
    """Register an app's sweep (its AppConfig.ready) to run inside `reclaim_sweep`."""
    DEADLINE_STEPS[name] = sweep


def _give_back_quota(batch: Batch, claim: Claim | None, fen: int) -> None:
    """R10: reclaims under R8/R9 give the annual quota back when the city's setting says so (default yes)."""
    if claim is None or fen <= 0 or not quota_for(batch.city_id, claim.year).reclaim_gives_back_quota:
        return
    claim.quota_returned_fen += fen
    claim.quota_fen = max(claim.quota_fen - fen, 0)
    claim.save(update_fields=["quota_returned_fen", "quota_fen"])


def _reclaim(*, actor, batch: Batch, claim: Claim | None, source: LedgerAccount, rule: str, obj) -> int:
    expired = clock.now() > batch.expires_at
    to_pool = rule in (R8, R9) and not expired  # after expiry everything goes to "reclaimed" (DESIGN §4)
    destination = ledger.account(batch, Kind.POOL if to_pool else Kind.RECLAIMED)
    kind = {
        R8: LedgerTransaction.Kind.RECLAIM_UNUSED,
        R9: LedgerTransaction.Kind.RECLAIM_NO_CONTRACT,
        R10: LedgerTransaction.Kind.RECLAIM_EXPIRED,
    }[rule if to_pool else R10]
    txn = ledger.post(batch=batch, kind=kind, actor=actor, moves=[(source, destination, None)], obj=obj)
    fen = ledger.amount_moved(txn, destination)
    if fen:
        audit.record(
            actor, f"voucher.reclaimed_{kind.removeprefix('reclaim_')}", obj, after={"fen": fen, "to": destination.kind}
        )
        if to_pool:
            _give_back_quota(batch, claim, fen)
            # 递补 after this commits, in its own transaction: this one holds accounts that a backfill may not
            # lock in the one fixed order.
            jobs.queue_after_commit("smevoucher.vouchers.tasks.backfill_batch", batch.pk)
    return fen


@transaction.atomic
def wallet_reclaim(*, actor, batch_id: int, enterprise_id: int, rule: str) -> int:
    """R8: the unused wallet balance after the order deadline → pool (then backfilled); R10: after the validity
    end → reclaimed (still counting against the quota). Returns the fen moved (0 when nothing was left)."""
    if rule not in (R8, R10):
        raise ValueError(rule)
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    claim = Claim.objects.select_for_update().filter(batch=batch, enterprise_id=enterprise_id).first()
    now = clock.now()
    if rule == R8 and (claim is None or claim.order_deadline is None or now <= claim.order_deadline):
        raise DeadlineNotReached()
    if rule == R10 and now <= batch.expires_at:
        raise DeadlineNotReached()
    wallet = LedgerAccount.objects.filter(batch=batch, kind=Kind.WALLET, enterprise_id=enterprise_id).first()
    if wallet is None:
        return 0
    return _reclaim(actor=actor, batch=batch, claim=claim, source=wallet, rule=rule, obj=claim or wallet)


# The audit rows of a sweep's reclaims (object id, fen moved, where to), read from arrays by audit.record_select.
RECLAIMED_EVENTS = """
SELECT x.object_id, x.fen, CAST(%s AS TEXT) AS "to"
  FROM unnest(CAST(%s AS BIGINT[]), CAST(%s AS BIGINT[])) WITH ORDINALITY AS x(object_id, fen, n)
 ORDER BY x.n
"""


# R10's quota give-back (`_give_back_quota`) for many claims: each claim of the batch (of the given ids and years)
# gets back what its enterprise's locked accounts (of the given ids) hold.
GIVE_BACK_QUOTA = """
UPDATE vouchers_claim c
   SET quota_returned_fen = c.quota_returned_fen + x.fen, quota_fen = GREATEST(c.quota_fen - x.fen, 0)
  FROM (SELECT enterprise_id, SUM(balance_fen) AS fen FROM vouchers_ledgeraccount
         WHERE id = ANY(%s) AND balance_fen > 0 GROUP BY enterprise_id) AS x
 WHERE c.batch_id = %s AND c.enterprise_id = x.enterprise_id AND c.id = ANY(%s) AND c.year = ANY(%s)
"""


def _give_back_quota_each(batch: Batch, account_ids: list[int], claim_ids: list[int], years: list[int]) -> None:
    """`_give_back_quota` for many claims at once: each claim (of these ids and years) gets back what its
    enterprise's locked accounts (of these ids: wallets, or an order's escrows) hold. Before the move."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(GIVE_BACK_QUOTA, [account_ids, batch.pk, claim_ids, years])
        return
    holding = (
        LedgerAccount.objects.filter(pk__in=account_ids, enterprise_id=OuterRef("enterprise_id"), balance_fen__gt=0)
        .order_by()
        .values("enterprise_id")
        .annotate(fen=Sum("balance_fen"))
        .values("fen")
    )
    fen = Coalesce(Subquery(holding), 0)
    Claim.objects.filter(pk__in=claim_ids, year__in=years).update(
        quota_returned_fen=F("quota_returned_fen") + fen, quota_fen=Greatest(F("quota_fen") - fen, 0)
    )


def _record_reclaims(action: str, model, destination: LedgerAccount, items: list[tuple[int, int]]) -> None:
    """One audit row per reclaim (object id, fen moved), as `_reclaim` records it; set-based on PostgreSQL."""
    if not items:
        return
    if connection.vendor != "postgresql":
        audit.record_each(None, action, model, [(pk, {"fen": fen, "to": destination.kind}) for pk, fen in items])
        return
    params = [destination.kind, [pk for pk, _f in items], [fen for _p, fen in items]]
    audit.record_select(None, action, model, RECLAIMED_EVENTS, params, after=("fen", "to"))


@transaction.atomic
def wallets_reclaim(*, batch_id: int, enterprise_ids: list[int], rule: str) -> int:
    """`wallet_reclaim` for many wallets of one batch in one database transaction (the sweep): the same locks in
    the same order (batch, its claims, the accounts), the same checks per claim, one ledger transaction and one
    audit row per wallet as before, written set-based. Returns the fen moved."""
    if rule not in (R8, R10):
        raise ValueError(rule)
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    now = clock.now()
    if rule == R10 and now <= batch.expires_at:
        return 0
    # Plain rows, not model instances: a sweep handles up to SWEEP_CHUNK of each per transaction.
    claims = {
        enterprise_id: (pk, deadline, year)
        for pk, enterprise_id, deadline, year in Claim.objects.select_for_update()
        .filter(batch=batch, enterprise_id__in=enterprise_ids)
        .order_by("pk")
        .values_list("pk", "enterprise_id", "order_deadline", "year")
    }
    if rule == R8:
        enterprise_ids = [e for e, (_p, deadline, _y) in claims.items() if deadline is not None and now > deadline]
    to_pool = rule == R8 and now <= batch.expires_at
    destination = ledger.account(batch, Kind.POOL if to_pool else Kind.RECLAIMED)
    due = LedgerAccount.objects.filter(batch=batch, kind=Kind.WALLET, enterprise_id__in=enterprise_ids)
    # The wallets and the destination locked now, in the ledger's one order (ascending id), so the quota given back
    # below reads the balances that the move takes.
    locked = LedgerAccount.objects.select_for_update().filter(Q(pk__in=due.values("pk")) | Q(pk=destination.pk))
    wallets = [
        (pk, enterprise_id, fen)
        for pk, enterprise_id, fen in locked.order_by("pk").values_list("pk", "enterprise_id", "balance_fen")
        if pk != destination.pk and fen > 0
    ]
    if not wallets:
        return 0
    kind = LedgerTransaction.Kind.RECLAIM_UNUSED if to_pool else LedgerTransaction.Kind.RECLAIM_EXPIRED
    # Each reclaim's object: the wallet's claim, or the wallet itself when its enterprise has none.
    claim_type, wallet_type = Claim._meta.label_lower, LedgerAccount._meta.label_lower
    objects = {pk: (claim_type, claims[e][0]) if e in claims else (wallet_type, pk) for pk, e, _fen in wallets}
    if to_pool:
        years = {year for _p, _d, year in claims.values()}
        giving = [y for y in years if quota_for(batch.city_id, y).reclaim_gives_back_quota]
        if giving:  # before the move: it reads the wallets' balances
            _give_back_quota_each(batch, [pk for pk, _e, _f in wallets], [c[0] for c in claims.values()], giving)
    moved = ledger.post_each_locked(
        batch=batch,
        kind=kind,
        actor=None,
        moves=[(pk, destination.pk, fen, *objects[pk]) for pk, _e, fen in wallets],
    )
    action = f"voucher.reclaimed_{kind.removeprefix('reclaim_')}"
    for model in (Claim, LedgerAccount):
        label = model._meta.label_lower
        _record_reclaims(
            action, model, destination, [(objects[pk][1], fen) for pk, fen in moved.items() if objects[pk][0] == label]
        )
    if to_pool and moved:
        jobs.queue_after_commit("smevoucher.vouchers.tasks.backfill_batch", batch.pk)
    return sum(moved.values())


@transaction.atomic
def escrow_reclaim(*, actor, batch_id: int, order_id: int, rule: str) -> int:
    """R9 (the orders app calls this for an order with no contract by the batch's contract deadline): the escrow →
    pool (then backfilled, quota given back per setting); R10: an escrow whose payment was not submitted by the
    validity end → reclaimed. Returns the fen moved."""
    if rule not in (R9, R10):
        raise ValueError(rule)
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    escrow = LedgerAccount.objects.filter(batch=batch, kind=Kind.ESCROW, order_id=order_id).first()
    if escrow is None:
        return 0
    claim = Claim.objects.select_for_update().filter(batch=batch, enterprise_id=escrow.enterprise_id).first()
    now = clock.now()
    if rule == R9 and now <= batch.contract_deadline:
        raise DeadlineNotReached()
    if rule == R10:
        if now <= batch.expires_at:
            raise DeadlineNotReached()
        if escrow.payment_submitted_at and escrow.payment_submitted_at <= batch.expires_at:
            raise Conflict("the payment was submitted in time")  # the provider still decides on it
    return _reclaim(actor=actor, batch=batch, claim=claim, source=escrow, rule=rule, obj=escrow)


def escrows_reclaim(*, batch_id: int, order_ids: list[int], rule: str) -> dict[int, int]:
    """`escrow_reclaim` for many orders of one batch, inside the caller's transaction (the orders' deadline sweep,
    which has locked the orders): the same locks in the same order (batch, the claims, the accounts), one ledger
    transaction and audit row per escrow, the quota given back, written set-based. The caller has checked what
    `escrow_reclaim` refuses (R9 before the batch's contract deadline, R10 before the validity end or for a payment
    submitted in time). Returns {order id: fen moved} for the escrows that held something."""
    if rule not in (R9, R10):
        raise ValueError(rule)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("escrows_reclaim() must run inside the caller's transaction")
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    escrows = LedgerAccount.objects.filter(batch=batch, kind=Kind.ESCROW, order_id__in=order_ids)
    enterprise_ids = set(escrows.values_list("enterprise_id", flat=True))
    if not enterprise_ids:
        return {}
    years = set(
        Claim.objects.select_for_update()
        .filter(batch=batch, enterprise_id__in=enterprise_ids)
        .order_by("pk")
        .values_list("year", flat=True)
    )
    to_pool = rule == R9 and clock.now() <= batch.expires_at
    destination = ledger.account(batch, Kind.POOL if to_pool else Kind.RECLAIMED)
    locked = LedgerAccount.objects.select_for_update().filter(Q(pk__in=escrows.values("pk")) | Q(pk=destination.pk))
    held = [
        (pk, order_id, fen)
        for pk, order_id, fen in locked.order_by("pk").values_list("pk", "order_id", "balance_fen")
        if pk != destination.pk and fen > 0
    ]
    if not held:
        return {}
    kind = LedgerTransaction.Kind.RECLAIM_NO_CONTRACT if to_pool else LedgerTransaction.Kind.RECLAIM_EXPIRED
    if to_pool:
        giving = [y for y in years if quota_for(batch.city_id, y).reclaim_gives_back_quota]
        if giving:  # before the move: it reads the escrows' balances
            claim_ids = Claim.objects.filter(batch=batch, enterprise_id__in=enterprise_ids).values_list("pk", flat=True)
            _give_back_quota_each(batch, [pk for pk, _o, _f in held], list(claim_ids), giving)
    label = LedgerAccount._meta.label_lower
    moved = ledger.post_each_locked(
        batch=batch, kind=kind, actor=None, moves=[(pk, destination.pk, fen, label, pk) for pk, _o, fen in held]
    )
    _record_reclaims(
        f"voucher.reclaimed_{kind.removeprefix('reclaim_')}", LedgerAccount, destination, list(moved.items())
    )
    if to_pool:
        jobs.queue_after_commit("smevoucher.vouchers.tasks.backfill_batch", batch.pk)
    order_of = {pk: order_id for pk, order_id, _f in held}
    return {order_of[pk]: fen for pk, fen in moved.items()}


SWEEP_CHUNK = 2000  # wallets per database transaction: short locks, bounded memory


def _by_batch(pairs, limit: int | None):
    """(batch id, [enterprise ids]) chunks of at most SWEEP_CHUNK from a queryset of rows with batch_id and
    enterprise_id, walked by key (memory stays flat however many wallets are due); at most `limit` ids in all."""
    left = limit
    for batch_id in sorted(set(pairs.order_by().values_list("batch_id", flat=True).distinct())):
        after = 0
        while left is None or left > 0:
            size = SWEEP_CHUNK if left is None else min(SWEEP_CHUNK, left)
            rows = pairs.filter(batch_id=batch_id, enterprise_id__gt=after).order_by("enterprise_id")
            chunk = list(rows.values_list("enterprise_id", flat=True)[:size])
            if not chunk:
                break
            yield batch_id, chunk
            after = chunk[-1]
            left = None if left is None else left - len(chunk)


def reclaim_sweep(*, limit: int | None = None) -> dict[str, int]:
    """Apply every deadline that has passed, in one pass (DESIGN §8's one sweep): first the registered steps of the
    apps above (orders: R9, and R10 for unpaid orders, each ending its order), then R10 for wallets and for escrows
    no order step took, then R8 for wallets, the backfill (递补) of what R8/R9 returned to the pool, and finally the
    closing of allocated batches past their validity end (no backfill can follow). Only records what the rules
    already imply: nothing past its deadline could be spent anyway. Each reclaim is its own database transaction
    (wallets: up to SWEEP_CHUNK of one batch at once, `wallets_reclaim`, written set-based) and moves what the
    locked balance holds, so running it twice (or twice at once) moves nothing twice. `limit` caps each kind of
    work per run.

    An order whose contract deadline and its vouchers' validity end fall on the same day: both end at 23:59:59 of
    that day (R14), so whenever the sweep runs after it, the validity end has passed too and R10 decides (orders'
    order_reclaim): the order is cancelled, its vouchers go to "reclaimed" (not back to the pool for waiting claims)
    and they still count against the enterprise's annual quota; R9 alone would have given the quota back (setting).
    """
    now = clock.now()
    done = {"r8": 0, "r10_wallets": 0, "r10_escrows": 0, "fen": 0, "closed": 0}
    for name, step in DEADLINE_STEPS.items():
        done[name] = step(limit=limit)
    spent = Batch.Status.ALLOCATED, Batch.Status.CLOSED
    # Past the validity end: the end of its local calendar day (R14) is before now.
    expired = Batch.objects.filter(status__in=spent, validity_end__lt=now.date()).values("pk")
    wallets = LedgerAccount.objects.filter(kind=Kind.WALLET, balance_fen__gt=0)
    for batch_id, enterprise_ids in _by_batch(wallets.filter(batch_id__in=expired), limit):
        done["fen"] += wallets_reclaim(batch_id=batch_id, enterprise_ids=enterprise_ids, rule=R10)
        done["r10_wallets"] += len(enterprise_ids)
    escrows = LedgerAccount.objects.filter(
        kind=Kind.ESCROW, balance_fen__gt=0, batch_id__in=expired, payment_submitted_at__isnull=True
    )
    for batch_id, order_id in escrows.values_list("batch_id", "order_id")[:limit]:
        done["fen"] += escrow_reclaim(actor=None, batch_id=batch_id, order_id=order_id, rule=R10)
        done["r10_escrows"] += 1
    # Walked by wallet (the index of one wallet per batch and enterprise gives each chunk in key order), each with
    # its claim's order deadline passed: the claims' own indexes would make every chunk scan the batch's claims.
    past_deadline = Claim.objects.filter(
        batch_id=OuterRef("batch_id"), enterprise_id=OuterRef("enterprise_id"), order_deadline__lt=now
    )
    overdue = wallets.filter(batch__status__in=spent).exclude(batch_id__in=expired).filter(Exists(past_deadline))
    refilled = set()
    for batch_id, enterprise_ids in _by_batch(overdue, limit):
        done["fen"] += wallets_reclaim(batch_id=batch_id, enterprise_ids=enterprise_ids, rule=R8)
        done["r8"] += len(enterprise_ids)
        refilled.add(batch_id)
    for batch_id in sorted(refilled):  # 递补 now rather than when the queued task runs (it then finds nothing)
        batch_backfill(actor=None, batch_id=batch_id)
    for batch_id in Batch.objects.filter(status=Batch.Status.ALLOCATED, validity_end__lt=now.date()).values_list(
        "pk", flat=True
    )[:limit]:
        batch_close(actor=None, batch_id=batch_id)
        done["closed"] += 1
    return done
