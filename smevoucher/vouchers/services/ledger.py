"""The double-entry ledger's two primitives (DESIGN §4): find an account, post a balanced transaction.

`post` locks every account it touches in one fixed order (ascending id), checks the new balances
(nothing below zero, the pool included: no over-issue), appends the transaction and its entries and
updates the cached balances, all inside the caller's database transaction. The CheckConstraint on
balance_fen is the backstop. Callers that also lock the batch or a claim do so before calling `post`
(order: batch → enterprise → claim → accounts), so no two paths can deadlock.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F

from smevoucher.core import audit, clock

from ..errors import InsufficientBalance
from ..models import Batch, LedgerAccount, LedgerEntry, LedgerTransaction

Kind = LedgerAccount.Kind


def account(batch: Batch, kind: str, *, enterprise_id=None, provider_id=None, order_id=None) -> LedgerAccount:
    """The batch's account of this kind (created on first use; the unique constraints settle races)."""
    lookup = {"batch": batch, "kind": kind}
    if kind in (Kind.WALLET, Kind.ESCROW):
        lookup["enterprise_id"] = enterprise_id
    if kind == Kind.ESCROW:
        lookup["order_id"] = order_id
    if kind == Kind.PROVIDER:
        lookup["provider_id"] = provider_id
    if kind == Kind.ESCROW:
        # An escrow belongs to one order; its enterprise is fixed when it is created.
        found = LedgerAccount.objects.filter(batch=batch, kind=kind, order_id=order_id).first()
        if found is not None:
            return found
    found, _ = LedgerAccount.objects.get_or_create(**lookup)
    return found


def post(
    *, batch: Batch, kind: str, actor, moves: list[tuple[LedgerAccount, LedgerAccount, int | None]], obj=None, memo=""
) -> LedgerTransaction | None:
    """Move each (source, destination, fen) in one balanced transaction; fen None moves the source's whole
    balance as read under the lock. Refuses (and changes nothing) if any balance would go below zero.
    Returns None when nothing moves."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post() must run inside the caller's transaction")
    ids = set()
    for source, destination, fen in moves:
        if fen is not None and (not isinstance(fen, int) or isinstance(fen, bool) or fen < 0):
            raise ValueError("ledger amounts are non-negative integer fen")
        if source.batch_id != batch.pk or destination.batch_id != batch.pk:
            raise ValueError("a transaction moves vouchers within one batch")
        ids.update((source.pk, destination.pk))
    locked = {a.pk: a for a in LedgerAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    deltas: dict[int, int] = defaultdict(int)
    for source, destination, fen in moves:
        fen = locked[source.pk].balance_fen if fen is None else fen
        deltas[source.pk] -= fen
        deltas[destination.pk] += fen
    deltas = {pk: d for pk, d in deltas.items() if d}
    if not deltas:
        return None
    assert sum(deltas.values()) == 0  # double entry: every transaction sums to zero
    changed = [locked[pk] for pk in sorted(deltas)]
    for acc in changed:
        acc.balance_fen += deltas[acc.pk]
        if acc.balance_fen < 0:
            raise InsufficientBalance()
    object_type, object_id = audit.object_label(obj)
    txn = LedgerTransaction.objects.create(
        batch=batch,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        object_type=object_type,
        object_id=object_id,
        memo=memo[:200],
        created_at=clock.now(),
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(transaction=txn, account_id=pk, amount_fen=delta) for pk, delta in sorted(deltas.items())
    )
    if len(changed) <= 4:
        for acc in changed:
            LedgerAccount.objects.filter(pk=acc.pk).update(balance_fen=acc.balance_fen)
    else:
        LedgerAccount.objects.bulk_update(changed, ["balance_fen"], batch_size=500)
    txn.deltas = deltas
    for source, destination, _fen in moves:  # let callers see the new balances
        source.balance_fen, destination.balance_fen = locked[source.pk].balance_fen, locked[destination.pk].balance_fen
    return txn


def amount_moved(txn: LedgerTransaction | None, acc: LedgerAccount) -> int:
    """What a posted transaction added to (positive) or took from (negative) one account."""
    return 0 if txn is None else txn.deltas.get(acc.pk, 0)


def post_each(*, batch: Batch, kind: str, actor, moves: list[tuple[LedgerAccount, LedgerAccount, object]]) -> dict:
    """`post` for many one-move transactions at once (a deadline sweep): each (source, destination, obj) moves the
    source's whole balance as read under the lock, in a transaction of its own (so each reclaim stays traceable
    to its object), all written with a few bulk statements. Returns {source account id: fen moved}."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_each() must run inside the caller's transaction")
    sources = [source.pk for source, _d, _o in moves]
    destinations = {destination.pk for _s, destination, _o in moves}
    if len(set(sources)) != len(sources) or destinations.intersection(sources):
        raise ValueError("each source once, and no source is also a destination")
    ids = destinations.union(sources)
    locked = {a.pk: a for a in LedgerAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    moving = [(locked[s.pk], locked[d.pk], obj) for s, d, obj in moves if locked[s.pk].balance_fen > 0]
    if any(s.batch_id != batch.pk or d.batch_id != batch.pk for s, d, _o in moving):
        raise ValueError("a transaction moves vouchers within one batch")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    now = clock.now()
    if connection.vendor == "postgresql":
        return _post_each_sql(batch=batch, kind=kind, actor=actor, now=now, moving=moving)
    transactions = LedgerTransaction.objects.bulk_create(
        [
            LedgerTransaction(batch=batch, kind=kind, actor=actor, created_at=now, **_object_fields(obj))
            for _s, _d, obj in moving
        ],
        batch_size=2000,
    )
    entries, moved = [], {}
    for txn, (source, destination, _obj) in zip(transactions, moving, strict=True):
        fen = source.balance_fen
        entries += [
            LedgerEntry(transaction=txn, account_id=source.pk, amount_fen=-fen),
            LedgerEntry(transaction=txn, account_id=destination.pk, amount_fen=fen),
        ]
        source.balance_fen, destination.balance_fen = 0, destination.balance_fen + fen
        moved[source.pk] = fen
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    # Every source is emptied; each destination gets what it received (two statements, not one CASE per row).
    LedgerAccount.objects.filter(pk__in=moved).update(balance_fen=0)
    for destination in {d.pk: d for _s, d, _o in moving}.values():
        LedgerAccount.objects.filter(pk=destination.pk).update(balance_fen=destination.balance_fen)
    return moved


# post_each on PostgreSQL: every transaction and its two entries in one statement (ids drawn from the sequence first,
# so each entry knows its transaction), from arrays of the moves; returns each source and the fen it moved.
POST_EACH = """
WITH moves AS MATERIALIZED (
  SELECT m.source_id, m.destination_id, m.fen, m.object_type, m.object_id,
         nextval(pg_get_serial_sequence('vouchers_ledgertransaction', 'id')) AS txn_id
    FROM unnest(%(sources)s::bigint[], %(destinations)s::bigint[], %(fens)s::bigint[], %(types)s::text[],
                %(ids)s::text[]) WITH ORDINALITY AS m(source_id, destination_id, fen, object_type, object_id, n)
   ORDER BY m.n
), txns AS (
  INSERT INTO vouchers_ledgertransaction (id, batch_id, kind, actor_id, object_type, object_id, memo, created_at)
  SELECT txn_id, %(batch)s, %(kind)s, %(actor)s, object_type, object_id, '', %(now)s FROM moves ORDER BY txn_id
), entries AS (
  INSERT INTO vouchers_ledgerentry (transaction_id, account_id, amount_fen)
  SELECT txn_id, account_id, amount_fen FROM (
    SELECT txn_id, source_id AS account_id, -fen AS amount_fen, 0 AS side FROM moves
    UNION ALL SELECT txn_id, destination_id, fen, 1 FROM moves
  ) AS e ORDER BY txn_id, side
)
SELECT source_id, fen FROM moves
"""


def post_each_locked(*, batch: Batch, kind: str, actor, moves: list[tuple]) -> dict:
    """`post_each` for a caller that has locked every account already (ascending id) and read the sources'
    balances under that lock: `moves` are (source id, destination id, fen, object type, object id), each fen the
    source's whole balance (> 0), sources distinct and none a destination, all of `batch`. PostgreSQL."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_each_locked() must run inside the caller's transaction")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    params = {
        "sources": [m[0] for m in moves],
        "destinations": [m[1] for m in moves],
        "fens": [m[2] for m in moves],
        "types": [m[3] for m in moves],
        "ids": [str(m[4]) for m in moves],
        "batch": batch.pk,
        "kind": kind,
        "actor": actor.pk if actor else None,
        "now": clock.now(),
    }
    received: dict[int, int] = defaultdict(int)
    for _s, destination_id, fen, _t, _i in moves:
        received[destination_id] += fen
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POST_EACH, params)
            moved = dict(cursor.fetchall())
    else:  # the same rows through the ORM
        transactions = LedgerTransaction.objects.bulk_create(
            LedgerTransaction(
                batch=batch, kind=kind, actor=actor, created_at=params["now"], object_type=m[3], object_id=str(m[4])
            )
            for m in moves
        )
        LedgerEntry.objects.bulk_create(
            entry
            for txn, m in zip(transactions, moves, strict=True)
            for entry in (
                LedgerEntry(transaction=txn, account_id=m[0], amount_fen=-m[2]),
                LedgerEntry(transaction=txn, account_id=m[1], amount_fen=m[2]),
            )
        )
        moved = {m[0]: m[2] for m in moves}
    LedgerAccount.objects.filter(pk__in=moved).update(balance_fen=0)
    for destination_id, fen in received.items():
        LedgerAccount.objects.filter(pk=destination_id).update(balance_fen=F("balance_fen") + fen)
    return moved


def _post_each_sql(*, batch: Batch, kind: str, actor, now, moving) -> dict:
    moves = [(s.pk, d.pk, s.balance_fen, *audit.object_label(obj)) for s, d, obj in moving]
    received: dict[int, int] = defaultdict(int)
    for source, destination, _obj in moving:
        received[destination.pk] += source.balance_fen
    moved = post_each_locked(batch=batch, kind=kind, actor=actor, moves=moves)
    for source, destination, _obj in moving:  # let callers see the new balances
        source.balance_fen = 0
        destination.balance_fen += received.pop(destination.pk, 0)
    return moved


def _object_fields(obj) -> dict:
    object_type, object_id = audit.object_label(obj)
    return {"object_type": object_type, "object_id": object_id}
