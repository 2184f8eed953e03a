"""Integrity signals benchmark (issue 17): recall and precision of the flags on a year lived through the real
services with planted cases, and the full scan's time as the orders grow.

    .venv/bin/python bench/integrity.py --database-url postgres://postgres@127.0.0.1:5432/smev_signals
    .venv/bin/python bench/integrity.py --enterprises 300 --providers 30 --sizes 10000,100000 --seed 7

1. Recall and precision: the database is flushed, `simulate_scheme` lives a year through the services (sign-ups,
   reviews, products, batches, claims, allocation, orders, contracts, completion, payments with uploaded documents,
   refunds, redemption, the deadline sweep; time moved by the simulated clock) with --enterprises and --providers,
   the ledger and the audit chain are verified, the full scan runs, and per kind it prints planted orders, flagged
   orders, recall and precision, overall recall and precision and the share of clean orders flagged, and how many
   orders a minute the services path made. Targets: recall ≥ 90 % per kind, clean orders flagged ≤ 5 %.
2. Scan time: for each size N in --sizes (orders) the database is flushed and the fast mode (`--bulk`: rows written
   directly, N/1.85 enterprises, N/100 providers) builds the year, and the full scan is timed; seconds per 1,000
   orders show whether it grows no faster than linearly (a flat figure). Its recall is printed too, for what it is
   worth: the bulk writer plants each case as the pattern its rule looks for.

Everything in the given database is deleted. Not a test: pytest does not collect it.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def table(result: dict, report: dict) -> None:
    print(f"{'kind':20} {'planted':>8} {'flagged':>8} {'recall':>7} {'precision':>9} {'scan s':>7}")
    for kind, figures in result.items():
        recall = "—" if figures["recall"] is None else f"{figures['recall']:.1%}"
        precision = "—" if figures["precision"] is None else f"{figures['precision']:.1%}"
        seconds = report.get(kind, {}).get("seconds", "")
        print(f"{kind:20} {figures['cases']:>8} {figures['flagged']:>8} {recall:>7} {precision:>9} {seconds:>7}")
    print(f"clean orders flagged: {result['overall']['clean_flagged_share']:.2%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="flushed before each run")
    parser.add_argument("--enterprises", type=int, default=300, help="of the services-driven year")
    parser.add_argument("--providers", type=int, default=30, help="of the services-driven year")
    parser.add_argument("--sizes", default="10000,100000", help="orders of the bulk runs timing the scan, or ''")
    parser.add_argument("--fraud-share", type=float, default=0.1)
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
    from smevoucher.core.audit import verify_chain
    from smevoucher.integrity import services
    from smevoucher.integrity.evaluation import evaluate
    from smevoucher.integrity.simulation import simulate
    from smevoucher.vouchers.selectors import ledger_problems

    call_command("migrate", verbosity=0)
    if args.enterprises:
        call_command("flush", interactive=False, verbosity=0)
        sync_cities()
        started = time.monotonic()
        truth = simulate(
            seed=args.seed, enterprises=args.enterprises, providers=args.providers, fraud_share=args.fraud_share
        )
        built = time.monotonic() - started
        orders = len(truth["orders"])
        ledger, chain = ledger_problems(), verify_chain()
        started = time.monotonic()
        report = services.scan()
        took = time.monotonic() - started
        print(
            f"\n== services-driven year: {args.enterprises} enterprises, {args.providers} providers, "
            f"{orders} live orders, {truth['steps'].get('steps', 0)} service calls in {built:.0f} s "
            f"= {orders / built * 60:.0f} orders a minute; full scan {took:.1f} s"
        )
        print(f"ledger: {'clean' if not ledger else ledger[:3]}; audit chain: {'intact' if not chain else chain[:3]}")
        refused = {k: v for k, v in truth["steps"].items() if k.startswith("refused")}
        if refused:
            print(f"refused steps (the services said no, as they would): {refused}")
        table(evaluate(truth), report)
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        call_command("flush", interactive=False, verbosity=0)
        sync_cities()
        started = time.monotonic()
        truth = simulate(
            seed=args.seed,
            enterprises=int(size / 1.85),
            providers=max(10, size // 100),
            fraud_share=args.fraud_share,
            bulk=True,
        )
        built = time.monotonic() - started
        started = time.monotonic()
        report = services.scan()
        took = time.monotonic() - started
        orders = len(truth["orders"])
        per_1k = took / orders * 1000
        print(
            f"\n== bulk (fast mode) {orders} orders (written in {built:.0f} s); full scan {took:.1f} s "
            f"= {per_1k:.3f} s per 1k orders"
        )
        table(evaluate(truth), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
