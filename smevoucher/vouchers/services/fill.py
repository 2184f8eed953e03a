# ruff: noqa: S608  (the statements are constants joined together; every value is a query parameter)
"""Filling waiting claims from the pool (R6) in a few set-based statements, however many claims a batch has.

The queue is one window over the batch's claims: priority enterprises first, then submission order, and for each
claim the running sum of what it and every claim before it still wants. A claim is filled in full while that sum
stays within the pool; with `partial_last` the first claim past it gets what is left; nothing after it gets
anything (发完即止: a later, smaller claim does not jump the queue). That is the per-claim walk of the previous
code, written as one expression; a test compares the two on a seeded random batch.

The grants become one balanced ledger transaction (pool → each wallet); the wallets' cached balances and the
claims are then updated from that transaction's entries, so the ledger stays the one source they follow. The
caller holds the batch's lock; the pool is locked first, then the wallets in id order (the ledger's lock order).
Plain SQL that runs on PostgreSQL and SQLite (≥ 3.33: UPDATE … FROM, window functions, ON CONFLICT).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from smevoucher.core import audit, clock

from ..models import Batch, LedgerAccount, LedgerTransaction

GRANTS = """
WITH queue AS (
  SELECT id, enterprise_id, amount_fen - allocated_fen AS want,
         CAST(SUM(amount_fen - allocated_fen) OVER (ORDER BY priority DESC, id ROWS UNBOUNDED PRECEDING)
              AS BIGINT) AS upto
    FROM vouchers_claim
   WHERE batch_id = %(batch)s AND amount_fen > allocated_fen
     AND (%(since)s IS NULL OR order_deadline IS NULL OR order_deadline >= %(since)s)
), grants AS (
  SELECT id, enterprise_id,
         CASE WHEN upto <= %(pool)s THEN want ELSE %(pool)s - (upto - want) END AS give
    FROM queue
   WHERE upto <= %(pool)s OR (%(partial)s AND upto - want < %(pool)s)
)
"""

# Wallets of enterprises that hold none in this batch yet (ON CONFLICT: one created meanwhile by another path).
# When the batch has no wallet yet (its allocation) they are created holding what they are given; otherwise they are
# created empty and the entries are added to them like to any other wallet.
NEW_WALLETS = (
    GRANTS
    + """
INSERT INTO vouchers_ledgeraccount (batch_id, kind, enterprise_id, opening_fen, balance_fen)
SELECT %(batch)s, 'wallet', g.enterprise_id, 0, CASE WHEN %(fresh)s THEN g.give ELSE 0 END FROM grants g
 WHERE NOT EXISTS (SELECT 1 FROM vouchers_ledgeraccount a
                    WHERE a.batch_id = %(batch)s AND a.kind = 'wallet' AND a.enterprise_id = g.enterprise_id)
 ORDER BY g.enterprise_id
ON CONFLICT DO NOTHING
"""
)

ENTRIES = (
    GRANTS
    + """
INSERT INTO vouchers_ledgerentry (transaction_id, account_id, amount_fen)
SELECT %(txn)s, a.id, g.give FROM grants g
  JOIN vouchers_ledgeraccount a ON a.batch_id = %(batch)s AND a.kind = 'wallet' AND a.enterprise_id = g.enterprise_id
 ORDER BY a.id
"""
)

POOL_ENTRY = """
INSERT INTO vouchers_ledgerentry (transaction_id, account_id, amount_fen)
SELECT %(txn)s, %(pool_id)s, -SUM(amount_fen) FROM vouchers_ledgerentry WHERE transaction_id = %(txn)s
"""
GIVEN = "SELECT COUNT(*), CAST(SUM(amount_fen) AS BIGINT) FROM vouchers_ledgerentry WHERE transaction_id = %(txn)s"

LOCK_WALLETS = """
SELECT a.id FROM vouchers_ledgeraccount a
 WHERE a.id IN (SELECT account_id FROM vouchers_ledgerentry WHERE transaction_id = %(txn)s AND amount_fen > 0)
 ORDER BY a.id FOR UPDATE
"""

WALLET_BALANCES = """
UPDATE vouchers_ledgeraccount SET balance_fen = balance_fen + e.amount_fen
  FROM vouchers_ledgerentry e
 WHERE e.transaction_id = %(txn)s AND e.amount_fen > 0 AND e.account_id = vouchers_ledgeraccount.id
"""

# Right-hand sides read the row as it was, so "allocated + given = requested" decides the new status.
CLAIMS = """
UPDATE vouchers_claim
   SET allocated_fen = allocated_fen + w.given,
       status = CASE WHEN allocated_fen + w.given = amount_fen THEN 'allocated' ELSE 'partial' END,
       order_deadline = %(deadline)s
  FROM (SELECT a.enterprise_id, e.amount_fen AS given FROM vouchers_ledgerentry e
          JOIN vouchers_ledgeraccount a ON a.id = e.account_id
         WHERE e.transaction_id = %(txn)s AND e.amount_fen > 0) AS w
 WHERE vouchers_claim.batch_id = %(batch)s AND vouchers_claim.enterprise_id = w.enterprise_id
"""


@dataclass
class Filled:
    transaction: LedgerTransaction | None
    claims: int = 0
    fen: int = 0


def fill(*, batch: Batch, kind: str, actor, deadline: datetime, waiting_since: datetime | None = None) -> Filled:
    """Give the pool to the batch's waiting claims in queue order (see the module's doc); each claim given
    something gets `deadline` as its order deadline (R8). With `waiting_since`, a claim whose own order deadline
    is before it waits no more (a backfill). Must run inside the caller's transaction, with the batch locked."""
    pool = LedgerAccount.objects.select_for_update().get(batch=batch, kind=LedgerAccount.Kind.POOL)
    if pool.balance_fen <= 0:
        return Filled(None)
    adapt = connection.ops.adapt_datetimefield_value
    savepoint = transaction.savepoint()
    params = {
        "batch": batch.pk,
        "pool": pool.balance_fen,
        "partial": bool(batch.partial_last),
        "since": adapt(waiting_since),
    }
    # The allocation itself: no wallet of the batch exists yet, so each is created holding what it is given.
    fresh = not LedgerAccount.objects.filter(batch=batch, kind=LedgerAccount.Kind.WALLET).exists()
    params["fresh"] = fresh
    with connection.cursor() as cursor:
        cursor.execute(NEW_WALLETS, params)
        object_type, object_id = audit.object_label(batch)
        txn = LedgerTransaction.objects.create(
            batch=batch,
            kind=kind,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            object_type=object_type,
            object_id=object_id,
            created_at=clock.now(),
        )
        params |= {"txn": txn.pk, "pool_id": pool.pk, "deadline": adapt(deadline)}
        cursor.execute(ENTRIES, params)
        # Counted from the entries: SQLite's driver gives no row count for a statement that starts with WITH.
        cursor.execute(GIVEN, params)
        count, total = cursor.fetchone()
        if not count:
            # Nothing to give (an empty pool, nobody waiting, or a first claim larger than a pool that may not
            # be split): undo the transaction row, which nothing refers to yet.
            transaction.savepoint_rollback(savepoint)
            return Filled(None)
        cursor.execute(POOL_ENTRY, params)
        if not fresh:
            if connection.features.has_select_for_update:
                cursor.execute(LOCK_WALLETS, params)
            cursor.execute(WALLET_BALANCES, params)
        cursor.execute(CLAIMS, params)
    transaction.savepoint_commit(savepoint)
    LedgerAccount.objects.filter(pk=pool.pk).update(balance_fen=pool.balance_fen - total)
    return Filled(txn, count, total)
