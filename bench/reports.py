# ruff: noqa: S603, S607  (a local tool: runs createdb/dropdb with arguments it builds)
"""Reports benchmark (R17 at a province's scale): the dashboard and each report endpoint at a small and a large
volume, in one run.

    .venv/bin/python bench/reports.py                      # 1,000 and 100,000 orders
    .venv/bin/python bench/reports.py --large 1000000 -r 40
    .venv/bin/python bench/reports.py --database-url postgres://postgres@127.0.0.1:5432/smev_reports  # reuse a db

Needs PostgreSQL (default postgres://postgres@127.0.0.1:5432, trust auth; BENCH_PG to change it). It creates a
fresh database (or flushes the one given: everything in it is deleted), migrates it, then for each size: flushes,
runs `generate_volume --orders N`, checks the ledger (`verify_ledger`), times one full `figures_refresh` (the
Celery beat job), and requests, R times each, in-process through Django's test client (no network):

- GET /reports/ as the province unit (every city, the per-city table) and as a city unit;
- GET /api/v1/reports/summary/, /reports/claims-over-time/?batch=, /reports/providers/ as the province unit.

It prints p50/p95 per request and size and the ratio p95(large)/p95(small) (target ≤ 1.5). The database is
dropped at the end unless it was given or --keep. Not a test: pytest does not collect it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000, help="orders at the small size (default 1000)")
    parser.add_argument("--large", type=int, default=100_000, help="orders at the large size (default 100000)")
    parser.add_argument("-r", "--repeat", type=int, default=30, help="requests per endpoint and size (default 30)")
    parser.add_argument("--database-url", help="use (and flush!) this database instead of a fresh one")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database")
    args = parser.parse_args()
    if not 10 <= args.small <= args.large <= 5_000_000 or not 5 <= args.repeat <= 1000:
        parser.error("need 10 <= small <= large <= 5000000 and 5 <= repeat <= 1000")

    fresh = args.database_url is None
    db = f"smev_bench_reports_{os.getpid()}"
    url = args.database_url or f"{PG}/{db}"
    if fresh:
        subprocess.run(["createdb", "--maintenance-db", f"{PG}/postgres", db], check=True)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "LOG_LEVEL": "ERROR",
            "ALLOWED_HOSTS": "testserver",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "smevoucher.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)  # tasks in-process; nothing queued elsewhere
    sys.path.insert(0, str(ROOT))
    try:
        results = run(args)
    finally:
        if fresh and not args.keep:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", "--maintenance-db", f"{PG}/postgres", db], check=False)
    report(results, args)
    return 0


def run(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from smevoucher.accounts.factories import city_unit_user, login_verified, province_user
    from smevoucher.reporting import selectors
    from smevoucher.vouchers.models import Batch

    call_command("migrate", verbosity=0)
    results = {}
    for size in (args.small, args.large):
        call_command("flush", interactive=False, verbosity=0)
        started = time.monotonic()
        call_command("generate_volume", orders=size, stdout=open(os.devnull, "w"))
        generated = time.monotonic() - started
        started = time.monotonic()
        call_command("verify_ledger", stdout=open(os.devnull, "w"))
        verified = time.monotonic() - started
        started = time.monotonic()
        selectors.figures_refresh()
        refreshed = time.monotonic() - started
        # After a bulk load PostgreSQL's autovacuum would otherwise work through the new rows during the timings.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")

        province, city = Client(), Client()
        login_verified(province, province_user())
        login_verified(city, city_unit_user("440100"))
        batch = Batch.objects.filter(city__code="440100").order_by("pk").first()
        requests = {
            "page /reports/ (province)": (province, "/reports/"),
            "page /reports/ (city unit)": (city, "/reports/"),
            "api reports/summary/": (province, "/api/v1/reports/summary/"),
            "api reports/claims-over-time/": (province, f"/api/v1/reports/claims-over-time/?batch={batch.pk}"),
            "api reports/providers/": (province, "/api/v1/reports/providers/"),
        }
        timings = {name: [] for name in requests}
        for name, (client, path) in requests.items():
            assert client.get(path).status_code == 200, (name, path)  # warm-up
        for _i in range(args.repeat):  # round-robin, so a burst of load elsewhere hits every request alike
            for name, (client, path) in requests.items():
                t = time.perf_counter()
                response = client.get(path)
                timings[name].append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200
        results[size] = {
            "timings": timings,
            "generated": generated,
            "verified": verified,
            "refreshed": refreshed,
        }
        print(
            f"{size:>9,} orders: generated in {generated:.1f} s, verify_ledger {verified:.1f} s, "
            f"figures_refresh {refreshed:.2f} s",
            flush=True,
        )
    return results


def report(results: dict, args) -> None:
    small, large = results[args.small], results[args.large]
    print()
    print(
        f"{'request':<32} {'p50 small':>10} {'p95 small':>10} {'p50 large':>10} {'p95 large':>10} "
        f"{'ratio p50':>10} {'ratio p95':>10}"
    )
    worst = 0.0
    for name, samples in small["timings"].items():
        big = large["timings"][name]
        ratio = percentile(big, 0.95) / percentile(samples, 0.95)
        worst = max(worst, ratio)
        print(
            f"{name:<32} {statistics.median(samples):>8.1f}ms {percentile(samples, 0.95):>8.1f}ms "
            f"{statistics.median(big):>8.1f}ms {percentile(big, 0.95):>8.1f}ms "
            f"{statistics.median(big) / statistics.median(samples):>10.2f} {ratio:>10.2f}"
        )
    verdict = "meets" if worst <= 1.5 else "MISSES"
    load = os.getloadavg()[0]
    print(f"\nload average at the end: {load:.1f} on {os.cpu_count()} CPUs (timings are wall-clock, in-process).")
    print(f"small = {args.small:,} orders, large = {args.large:,} orders, {args.repeat} requests each.")
    print(f"worst p95 ratio {worst:.2f}: {verdict} the target (≤ 1.5).")


if __name__ == "__main__":
    sys.exit(main())
