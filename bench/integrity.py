"""Integrity signals benchmark (issue 17): recall and precision of the flags on a simulated year with planted
cases, and the full scan's time as the orders grow.

    .venv/bin/python bench/integrity.py --database-url postgres://postgres@127.0.0.1:5432/smev_signals
    .venv/bin/python bench/integrity.py --sizes 10000,100000 --fraud-share 0.05 --seed 7

For each size N (orders; about 1.85 orders per enterprise) it flushes the given database (everything in it is
deleted), runs `simulate_scheme` with N/1.85 enterprises and N/100 providers, times `integrity_scan` (the nightly
full scan), and prints per kind: planted orders, flagged orders, recall, precision; overall recall and the share
of clean orders flagged; and the scan's seconds per 1,000 orders, so linear growth shows as a flat figure.
Targets: recall ≥ 90 % per kind, clean orders flagged ≤ 5 %. Not a test: pytest does not collect it.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="flushed before each size")
    parser.add_argument("--sizes", default="10000,100000", help="orders, comma-separated")
    parser.add_argument("--fraud-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url (it is flushed)")
    os.environ.update({"DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "smevoucher.settings"})
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from smevoucher.accounts.cities import sync_cities
    from smevoucher.integrity import services
    from smevoucher.integrity.evaluation import evaluate
    from smevoucher.integrity.simulation import simulate

    call_command("migrate", verbosity=0)
    for size in [int(s) for s in args.sizes.split(",")]:
        call_command("flush", interactive=False, verbosity=0)
        sync_cities()
        started = time.monotonic()
        truth = simulate(
            seed=args.seed,
            enterprises=int(size / 1.85),
            providers=max(10, size // 100),
            fraud_share=args.fraud_share,
        )
        built = time.monotonic() - started
        started = time.monotonic()
        report = services.scan()
        took = time.monotonic() - started
        result = evaluate(truth)
        orders = len(truth["orders"])
        per_1k = took / orders * 1000
        print(f"\n== {orders} orders (built in {built:.0f} s); full scan {took:.1f} s = {per_1k:.3f} s per 1k orders")
        print(f"{'kind':20} {'planted':>8} {'flagged':>8} {'recall':>7} {'precision':>9} {'scan s':>7}")
        for kind, figures in result.items():
            recall = "—" if figures["recall"] is None else f"{figures['recall']:.1%}"
            precision = "—" if figures["precision"] is None else f"{figures['precision']:.1%}"
            seconds = report.get(kind, {}).get("seconds", "")
            print(f"{kind:20} {figures['cases']:>8} {figures['flagged']:>8} {recall:>7} {precision:>9} {seconds:>7}")
        print(f"clean orders flagged: {result['overall']['clean_flagged_share']:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
