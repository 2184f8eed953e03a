# ruff: noqa: S603, S607, S608  (a local tool: runs createdb/psql/manage.py with arguments it builds)
"""Deadline-sweep benchmark (R8): `manage.py reclaim_sweep` over N wallets past their order deadline against
hand-written set-based SQL making the same ledger rows.

    .venv/bin/python bench/sweeps.py                 # the issue's size: the sweep writes 1,000,000 ledger entries
    .venv/bin/python bench/sweeps.py -n 20000        # N enterprises (70 % hold a wallet; two entries per wallet)
    .venv/bin/python bench/sweeps.py --root DIR      # another checkout's code

Same set-up as bench/allocation.py (N enterprises, batches A and B, allocated here with its hand-written SQL, so
70 % of the enterprises hold a wallet in each), then every allocated claim's order deadline is moved into the
past, first in A only:

1. service: `manage.py reclaim_sweep` in a process of its own (wall time, peak memory): the wallets → pool up to
   SWEEP_CHUNK per transaction, set-based (one ledger transaction and audit row per wallet, R8), the quota given
   back, then the backfill of the waiting claims;
2. SQL: B's wallets → pool by hand: one ledger transaction and two entries per wallet, the audit rows, the
   balances and the quota given back, set-based; then the same backfill through the service (timed too: the
   sweep's time includes its backfill, so both sides do the same work).

It checks that A and B ended with the same ledger rows, balances and claims (per enterprise), runs
`verify_ledger`, and prints the times and the ratio (target ≤ 2). Not a test. The database is dropped at the end
(--keep to keep it).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.allocation import COMPARE, HAND_SQL, PG, REDIS_URL, ROOT, SETUP, child


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n", type=int, default=715_000, help="enterprises (default 715,000: 500,500 wallets, 1,001,000 entries)"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose code runs the sweep")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--profile", type=Path, help="run the sweep under cProfile, writing its stats here")
    args = parser.parse_args()
    if not 10 <= args.n <= 2_000_000:
        parser.error("n must be 10..2,000,000")
    db = f"smev_sweep_{os.getpid()}"
    url = f"{PG}/{db}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(args.root),
        "DJANGO_SETTINGS_MODULE": "smevoucher.settings",
    }
    psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", url]
    subprocess.run(["createdb", "--maintenance-db", f"{PG}/postgres", db], check=True)
    try:
        manage = [sys.executable, str(args.root / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], cwd=args.root, env=env, check=True)
        setup = json.loads(child(SETUP, env, args.root, str(args.n)))
        for batch in (setup["a"], setup["b"]):
            sql = HAND_SQL.format(b=batch, deadline=setup["deadline"])
            subprocess.run(psql, input=sql, text=True, check=True, capture_output=True)
        moment = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(time.time() - 1))
        past = f"UPDATE vouchers_claim SET order_deadline = '{moment}' WHERE batch_id = {{b}} AND allocated_fen > 0;"
        # The same past deadline for both batches (so their claims compare equal), and later B's backfill on the same
        # local day as A's (its fresh deadline is the end of a calendar day).
        subprocess.run(psql, input=past.format(b=setup["a"]), text=True, check=True, capture_output=True)

        t = time.perf_counter()
        profile = ["-m", "cProfile", "-o", str(args.profile)] if args.profile else []
        command = [sys.executable, *profile, str(args.root / "manage.py"), "reclaim_sweep"]
        process = subprocess.Popen(command, cwd=args.root, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        service_s = time.perf_counter() - t
        if status:
            raise SystemExit("reclaim_sweep failed")

        subprocess.run(psql, input=past.format(b=setup["b"]), text=True, check=True, capture_output=True)
        t = time.perf_counter()
        subprocess.run(psql, input=HAND_R8.format(b=setup["b"]), text=True, check=True, capture_output=True)
        hand_s = time.perf_counter() - t
        # The same 递补 as the sweep's, through the service, and timed: the sweep's time includes its backfill too.
        t = time.perf_counter()
        child(BACKFILL, env, args.root, str(setup["b"]))
        backfill_s = time.perf_counter() - t
        sql_s = hand_s + backfill_s

        result = json.loads(child(COMPARE, env, args.root, json.dumps(setup)))
        ledger = subprocess.run([*manage, "verify_ledger"], cwd=args.root, env=env, capture_output=True, text=True)
        print(f"\nR8 sweep over the wallets of {result['granted_a']} claims, code from {args.root}")
        print(f"service (manage.py reclaim_sweep): {service_s:8.1f} s   peak memory {usage.ru_maxrss / 1024:.0f} MB")
        print(f"hand-written SQL + service backfill: {sql_s:6.1f} s  (SQL {hand_s:.1f} s, backfill {backfill_s:.1f} s)")
        print(f"ratio service / SQL: {service_s / sql_s:.2f}   (target ≤ 2.00)")
        print(f"A equals B (claims, wallets, entries, pool): {result['equal']}  {result['differences'] or ''}")
        print(f"verify_ledger: {'clean' if ledger.returncode == 0 else ledger.stderr.strip()}")
        return 0 if result["equal"] and ledger.returncode == 0 else 1
    finally:
        if not args.keep:
            subprocess.run(["dropdb", "--maintenance-db", f"{PG}/postgres", "--if-exists", db], check=False)
        subprocess.run(
            ["redis-cli", "-u", REDIS_URL, "DEL", "celery", "_kombu.binding.celery", "_kombu.binding_permanent.celery"],
            check=False,
            capture_output=True,
        )


# R8 by hand: per wallet holding vouchers past its claim's order deadline, one transaction wallet → pool.
HAND_R8 = """
BEGIN;
SELECT id FROM vouchers_batch WHERE id = {b} FOR UPDATE;
CREATE TEMP TABLE due ON COMMIT DROP AS
SELECT w.id AS wallet_id, w.enterprise_id, w.balance_fen AS fen, c.id AS claim_id
  FROM vouchers_ledgeraccount w
  JOIN vouchers_claim c ON c.batch_id = w.batch_id AND c.enterprise_id = w.enterprise_id
 WHERE w.batch_id = {b} AND w.kind = 'wallet' AND w.balance_fen > 0 AND c.order_deadline < now()
 ORDER BY w.id;
ALTER TABLE due ADD COLUMN txn_id bigint;
UPDATE due SET txn_id = nextval(pg_get_serial_sequence('vouchers_ledgertransaction', 'id'));
INSERT INTO vouchers_ledgertransaction (id, batch_id, kind, object_type, object_id, memo, created_at)
SELECT txn_id, {b}, 'reclaim_r8', 'vouchers.claim', claim_id::text, '', now() FROM due;
INSERT INTO vouchers_ledgerentry (transaction_id, account_id, amount_fen)
SELECT txn_id, wallet_id, -fen FROM due
UNION ALL
SELECT txn_id, (SELECT id FROM vouchers_ledgeraccount WHERE batch_id = {b} AND kind = 'pool'), fen FROM due;
INSERT INTO core_auditevent (at, actor_label, action, object_type, object_id, after, reason, request_id,
                             prev_hash, hash)
SELECT now(), '', 'voucher.reclaimed_r8', 'vouchers.claim', claim_id::text,
       jsonb_build_object('fen', fen, 'to', 'pool'), '', '', '', '' FROM due;
UPDATE vouchers_ledgeraccount a SET balance_fen = 0 FROM due WHERE a.id = due.wallet_id;
UPDATE vouchers_ledgeraccount SET balance_fen = balance_fen + (SELECT SUM(fen) FROM due)
 WHERE batch_id = {b} AND kind = 'pool';
UPDATE vouchers_claim c SET quota_returned_fen = c.quota_returned_fen + due.fen,
       quota_fen = GREATEST(c.quota_fen - due.fen, 0)
  FROM due WHERE c.id = due.claim_id;
COMMIT;
"""

BACKFILL = r"""
import sys
import django
django.setup()
from smevoucher.vouchers import services
services.batch_backfill(actor=None, batch_id=int(sys.argv[1]))
"""


if __name__ == "__main__":
    sys.exit(main())
