# ruff: noqa: S603, S607, S608  (a local tool: runs createdb/psql/dropdb with arguments it builds)
"""Export benchmark (R17): time and peak memory of the audit-trail export at N and 10 × N rows, XLSX and CSV.

    .venv/bin/python bench/exports.py               # N=100,000 and 1,000,000 rows
    .venv/bin/python bench/exports.py -n 20000      # N=20,000 and 200,000

Needs PostgreSQL (default postgres://postgres@127.0.0.1:5432, trust auth; BENCH_PG to change it) and its client
tools. It creates a fresh database, migrates it, inserts the events with one INSERT … SELECT generate_series, then
runs each export in a child process (so each peak is that export's own) and prints rows, seconds, rows/s and the
child's peak resident memory. The rows are streamed (server-side cursor, CHUNK at a time) into openpyxl's
write-only workbook or a CSV written line by line: the peak should not grow with the rows. The database is
dropped at the end (--keep to keep it). Not a test: pytest does not collect it.
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


def child(fmt: str) -> None:
    """Run one export in this process and print its figures as JSON."""
    import resource

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smevoucher.settings")
    django.setup()
    from smevoucher.accounts.models import Organisation, User
    from smevoucher.reporting import exports

    unit, _ = Organisation.objects.get_or_create(kind="province_unit", name="省级承办单位（基准）")
    user, _ = User.objects.get_or_create(username="bench_province", defaults={"organisation": unit})
    kind = exports.KINDS["audit"]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    handle, count = exports.write(kind, fmt, exports.headers(kind), exports.rows(kind, user, {}))
    seconds = time.perf_counter() - started
    size = handle.seek(0, 2)
    handle.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": count, "seconds": seconds, "peak_mb": peak / 1024, "before_mb": before / 1024,
                      "file_mb": size / 1048576}))  # fmt: skip


def psql(database: str, sql: str) -> None:
    subprocess.run(["psql", f"{PG}/{database}", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


def insert_events(database: str, first: int, last: int) -> None:
    psql(
        database,
        "INSERT INTO core_auditevent (at, actor_label, action, object_type, object_id, reason, prev_hash, hash) "
        "SELECT now() - (g || ' seconds')::interval, 'unit_guangzhou', "
        "(ARRAY['order.placed','order.confirmed','voucher.paid','=HYPERLINK(\"x\")'])[1 + g % 4], "
        f"'orders.order', g::text, '材料齐全，同意。' || g, '', '' FROM generate_series({first}, {last}) g",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="rows of the small run (the large one is 10 ×)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--child", choices=["xlsx", "csv"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    database = f"smev_bench_exports_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    env = {**os.environ, "DATABASE_URL": f"{PG}/{database}", "REDIS_URL": "", "DEBUG": "0"}
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        results = []
        done = 0
        for rows in (args.n, 10 * args.n):
            insert_events(database, done + 1, rows)
            done = rows
            for fmt in ("xlsx", "csv"):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", fmt], cwd=ROOT, env=env, check=True, capture_output=True
                )
                figures = json.loads(out.stdout.decode().strip().splitlines()[-1])
                results.append((fmt, figures))
                print(
                    f"{fmt:4} {figures['rows']:>10,} rows  {figures['seconds']:7.1f} s  "
                    f"{figures['rows'] / figures['seconds']:>9,.0f} rows/s  peak RSS {figures['peak_mb']:6.1f} MB  "
                    f"file {figures['file_mb']:6.1f} MB",
                    flush=True,
                )
        for fmt in ("xlsx", "csv"):
            small, large = [f for f_, f in results if f_ == fmt]
            print(f"{fmt}: peak at {large['rows']:,} rows / at {small['rows']:,} = "
                  f"{large['peak_mb'] / small['peak_mb']:.2f}")  # fmt: skip
    finally:
        if not args.keep:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
