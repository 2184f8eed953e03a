import json
import time

from django.core.management.base import BaseCommand

from smevoucher.integrity.simulation import simulate


class Command(BaseCommand):
    help = (
        "Live a seeded year of the scheme through the real services, with planted integrity cases of every kind, and "
        "write the ground truth (JSON: the live orders, and order id → the kinds of case it belongs to). --bulk is the "
        "fast mode for timing the scan at scale only: it writes the rows directly and its recall proves little."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--enterprises", type=int, default=300)
        parser.add_argument("--providers", type=int, default=30)
        parser.add_argument("--fraud-share", type=float, default=0.1)
        parser.add_argument("--labels", required=True, help="where to write the ground truth")
        parser.add_argument(
            "--bulk", action="store_true", help="fast mode: rows written directly, for timing the scan at scale"
        )

    def handle(self, *args, seed, enterprises, providers, fraud_share, labels, bulk, **options):
        started = time.monotonic()
        truth = simulate(seed=seed, enterprises=enterprises, providers=providers, fraud_share=fraud_share, bulk=bulk)
        took = time.monotonic() - started
        with open(labels, "w", encoding="utf-8") as out:
            json.dump(truth, out, ensure_ascii=False)
        orders = len(truth["orders"])
        self.stdout.write(
            f"{truth['mode']}: {orders} orders ({orders / took * 60:.0f} a minute), {len(truth['labels'])} in planted "
            f"cases, {took:.0f} s → {labels}"
        )
