# ruff: noqa: S603, S607  (a local tool: runs createdb/psql/manage.py with arguments it builds)
"""Allocation benchmark (R6): `manage.py allocate_batch` on one batch of N claims against hand-written SQL.

    .venv/bin/python bench/allocation.py                 # N=100,000 claims, 70,000 granted
    .venv/bin/python bench/allocation.py -n 10000        # a quicker run (70 % granted likewise)
    .venv/bin/python bench/allocation.py --root DIR      # the same, running another checkout's code (before/after)

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432, trust auth) and Redis (BENCH_REDIS_URL,
default database 13): the e-mail and audit-sealing tasks are queued there, as in production where a worker sends
them, and deleted at the end. It creates a fresh database, makes N approved enterprises (one active user each,
10 % with a priority tag) and two identical closed batches A and B, each with one claim per enterprise; the
batches' totals give 70 % of the claims their vouchers (the last one partly). Then:

1. service: `manage.py allocate_batch A` in a process of its own (wall time and peak memory): priority update,
   fill, ledger, claim states, audit, the results notice, one notification per claim, e-mails queued;
2. SQL: the same allocation of B in hand-written set-based SQL (priority update and one statement with
   data-modifying CTEs): the same wallets, ledger entries and claim states, no notices or notifications.

It checks that A and B ended equal (claims, wallets, ledger entries, pool, per enterprise), runs `verify_ledger`,
and prints the times and the ratio (target ≤ 2). Not a test: pytest does not collect it. The database is dropped
at the end (--keep to keep it).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CLAIM_FEN = 1_000_00


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="claims per batch (default 100,000)")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose code runs the service")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--profile", type=Path, help="run the allocation under cProfile, writing its stats here")
    args = parser.parse_args()
    if not 10 <= args.n <= 1_000_000:
        parser.error("n must be 10..1,000,000")
    db = f"smev_alloc_{os.getpid()}"
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
    subprocess.run(["createdb", "--maintenance-db", f"{PG}/postgres", db], check=True)
    try:
        manage = [sys.executable, str(args.root / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], cwd=args.root, env=env, check=True)
        t = time.perf_counter()
        setup = json.loads(child(SETUP, env, args.root, str(args.n)))
        print(f"set-up: {args.n} enterprises and claims ×2 in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        profile = ["-m", "cProfile", "-o", str(args.profile)] if args.profile else []
        command = [sys.executable, *profile, str(args.root / "manage.py"), "allocate_batch", str(setup["a"])]
        process = subprocess.Popen(command, cwd=args.root, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        service_s = time.perf_counter() - t
        if status:
            raise SystemExit("allocate_batch failed")
        peak_mb = usage.ru_maxrss / 1024

        sql = HAND_SQL.format(b=setup["b"], deadline=setup["deadline"])
        t = time.perf_counter()
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=sql, text=True, check=True, capture_output=True
        )
        sql_s = time.perf_counter() - t

        result = json.loads(child(COMPARE, env, args.root, json.dumps(setup)))
        ledger = subprocess.run([*manage, "verify_ledger"], cwd=args.root, env=env, capture_output=True, text=True)
        queued = subprocess.run(["redis-cli", "-u", REDIS_URL, "LLEN", "celery"], capture_output=True, text=True)
        print(f"\nallocation of {args.n} claims ({result['granted_a']} granted), code from {args.root}")
        print(f"service (manage.py allocate_batch): {service_s:8.1f} s   peak memory {peak_mb:.0f} MB")
        print(f"hand-written SQL:                   {sql_s:8.1f} s")
        print(f"ratio service / SQL: {service_s / sql_s:.2f}   (target ≤ 2.00)")
        print(f"notifications: {result['notifications']}; tasks queued: {queued.stdout.strip() or '?'}")
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


def child(code: str, env: dict, root: Path, arg: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, arg], cwd=root, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


# N approved enterprises with one user each (10 % tagged as priority), two closed batches with one claim each.
SETUP = r"""
import json, sys
import django
django.setup()
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from smevoucher.accounts.factories import city, city_unit_user
from smevoucher.core import clock
from smevoucher.enterprises.models import Enterprise, PriorityTag, sync_priority_tags
from smevoucher.vouchers import services
from smevoucher.vouchers.models import Batch

n = int(sys.argv[1])
claim_fen = 100000
gz = city("440100")
unit = city_unit_user("440100")
start = clock.now() - timedelta(hours=2)
granted = n * 7 // 10
def batch(name):
    b = services.batch_create(actor=unit, name=name, total_fen=granted * claim_fen - claim_fen // 2,
                              claim_start=start, claim_end=start + timedelta(hours=3), service_start=start.date(),
                              service_end=start.date() + timedelta(days=90),
                              validity_end=start.date() + timedelta(days=90))
    return services.batch_open(actor=unit, batch_id=b.pk)
a, b = batch("A"), batch("B")
Batch.objects.filter(pk__in=[a.pk, b.pk]).update(claim_end=clock.now() - timedelta(seconds=1))
a.refresh_from_db()
sync_priority_tags()
tag = PriorityTag.objects.order_by("pk").first()
now = timezone.now()
with connection.cursor() as c:
    c.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_organisation")
    org0 = c.fetchone()[0] + 1
    c.execute(f'''INSERT INTO accounts_organisation (id, kind, name, city_id, email, phone, contact_person, created_at)
        SELECT {org0} + i, 'enterprise', '压测企业' || i || '有限公司', %s, '', '', '', %s
        FROM generate_series(0, %s - 1) i''', [gz.pk, now, n])
    c.execute("SELECT setval(pg_get_serial_sequence('accounts_organisation', 'id'), "
              "(SELECT MAX(id) FROM accounts_organisation))")
    c.execute(f'''INSERT INTO enterprises_enterprise (organisation_id, uscc, city_id, size, industry,
        legal_representative, contact_name, contact_phone, contact_email, status, review_note, created_at,
        suspension_reason, address_key, legal_rep_id_hash, legal_rep_id_last4, phone_key, registered_address)
        SELECT {org0} + i, 'B' || lpad(i::text, 17, '0'), %s, 'small', 'C', '王', '李', '1',
               'b' || i || '@example.invalid', 'approved', '', %s, '', '', '', '', '', ''
        FROM generate_series(0, %s - 1) i''', [gz.pk, now, n])
    c.execute('''INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
        is_staff, is_active, date_joined, organisation_id, role, phone)
        SELECT '!', false, 'alloc' || o.id, '', '', 'u' || o.id || '@example.invalid', false, true, %s, o.id,
               'staff', ''
        FROM accounts_organisation o WHERE o.id >= %s''', [now, org0])
    c.execute('''INSERT INTO enterprises_enterprise_priority_tags (enterprise_id, prioritytag_id)
        SELECT e.id, %s FROM enterprises_enterprise e WHERE e.organisation_id >= %s AND e.id %% 10 = 3''',
        [tag.pk, org0])
    for batch_id in (a.pk, b.pk):
        c.execute('''INSERT INTO vouchers_claim (batch_id, enterprise_id, year, amount_fen, allocated_fen, quota_fen,
            quota_returned_fen, status, priority, submitted_at, submitted_by_id)
            SELECT %s, e.id, %s, %s, 0, %s, 0, 'waiting', false, %s + (e.id %% 3600) * interval '1 second', NULL
            FROM enterprises_enterprise e WHERE e.organisation_id >= %s ORDER BY e.id''',
            [batch_id, a.year, claim_fen, claim_fen, start, org0])
    c.execute("ANALYZE")
print(json.dumps({"a": a.pk, "b": b.pk, "deadline": a.order_deadline.isoformat()}))
"""

# The same allocation, written by hand: priority from the tags, then one statement (PostgreSQL CTEs).
HAND_SQL = """
BEGIN;
SELECT id FROM vouchers_batch WHERE id = {b} FOR UPDATE;
UPDATE vouchers_claim c SET priority = NOT c.priority
 WHERE c.batch_id = {b}
   AND c.priority <> EXISTS (SELECT 1 FROM enterprises_enterprise_priority_tags t
                             WHERE t.enterprise_id = c.enterprise_id);
WITH pool AS (
  SELECT id, balance_fen FROM vouchers_ledgeraccount WHERE batch_id = {b} AND kind = 'pool' FOR UPDATE
), queue AS (
  SELECT c.id, c.enterprise_id, c.amount_fen - c.allocated_fen AS want,
         SUM(c.amount_fen - c.allocated_fen) OVER (ORDER BY c.priority DESC, c.id) AS upto
    FROM vouchers_claim c WHERE c.batch_id = {b} AND c.amount_fen > c.allocated_fen
), grants AS (
  SELECT q.id, q.enterprise_id, LEAST(q.want, p.balance_fen - (q.upto - q.want))::bigint AS give
    FROM queue q, pool p WHERE q.upto - q.want < p.balance_fen
), wallets AS (
  INSERT INTO vouchers_ledgeraccount (batch_id, kind, enterprise_id, opening_fen, balance_fen)
  SELECT {b}, 'wallet', enterprise_id, 0, give FROM grants ORDER BY enterprise_id
  RETURNING id, balance_fen
), txn AS (
  INSERT INTO vouchers_ledgertransaction (batch_id, kind, object_type, object_id, memo, created_at)
  VALUES ({b}, 'allocation', 'vouchers.batch', '{b}', '', now()) RETURNING id
), entries AS (
  INSERT INTO vouchers_ledgerentry (transaction_id, account_id, amount_fen)
  SELECT txn.id, p.id, -(SELECT SUM(give) FROM grants) FROM txn, pool p
  UNION ALL SELECT txn.id, w.id, w.balance_fen FROM txn, wallets w
), claims AS (
  UPDATE vouchers_claim c SET allocated_fen = c.allocated_fen + g.give, order_deadline = '{deadline}',
         status = CASE WHEN c.allocated_fen + g.give = c.amount_fen THEN 'allocated' ELSE 'partial' END
    FROM grants g WHERE c.id = g.id
)
UPDATE vouchers_ledgeraccount a SET balance_fen = a.balance_fen - (SELECT SUM(give) FROM grants)
  FROM pool p WHERE a.id = p.id;
UPDATE vouchers_batch SET status = 'allocated', allocated_at = now() WHERE id = {b};
COMMIT;
"""

COMPARE = r"""
import json, sys
import django
django.setup()
from django.db import connection
from smevoucher.notices.models import Notification
s = json.loads(sys.argv[1])
queries = {
    "claims": "SELECT enterprise_id, allocated_fen, status, order_deadline, priority FROM vouchers_claim "
              "WHERE batch_id = %s",
    "wallets": "SELECT kind, enterprise_id, balance_fen FROM vouchers_ledgeraccount WHERE batch_id = %s",
    "entries": '''SELECT t.kind, a.kind, a.enterprise_id, e.amount_fen FROM vouchers_ledgerentry e
                  JOIN vouchers_ledgeraccount a ON a.id = e.account_id
                  JOIN vouchers_ledgertransaction t ON t.id = e.transaction_id WHERE t.batch_id = %s''',
}
differences = {}
with connection.cursor() as c:
    for name, sql in queries.items():
        c.execute(f"SELECT COUNT(*) FROM (({sql}) EXCEPT ALL ({sql})) x", [s["a"], s["b"]])
        one = c.fetchone()[0]
        c.execute(f"SELECT COUNT(*) FROM (({sql}) EXCEPT ALL ({sql})) x", [s["b"], s["a"]])
        other = c.fetchone()[0]
        if one or other:
            differences[name] = [one, other]
    c.execute("SELECT COUNT(*) FROM vouchers_claim WHERE batch_id = %s AND allocated_fen > 0", [s["a"]])
    granted = c.fetchone()[0]
print(json.dumps({"equal": not differences, "differences": differences, "granted_a": granted,
                  "notifications": Notification.objects.count()}))
"""


if __name__ == "__main__":
    sys.exit(main())
