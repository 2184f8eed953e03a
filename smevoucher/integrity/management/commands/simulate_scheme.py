import json

from django.core.management.base import BaseCommand

from smevoucher.integrity.simulation import simulate


class Command(BaseCommand):
    help = "Build a seeded year of the scheme with planted integrity cases and write the ground truth (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--enterprises", type=int, default=500)
        parser.add_argument("--providers", type=int, default=40)
        parser.add_argument("--fraud-share", type=float, default=0.05)
        parser.add_argument("--labels", required=True, help="where to write the ground truth")

    def handle(self, *args, seed, enterprises, providers, fraud_share, labels, **options):
        truth = simulate(seed=seed, enterprises=enterprises, providers=providers, fraud_share=fraud_share)
        with open(labels, "w", encoding="utf-8") as out:
            json.dump(truth, out)
        self.stdout.write(f"{len(truth['orders'])} orders, {len(truth['labels'])} in planted cases → {labels}")
