from django.core.management.base import BaseCommand

from smevoucher.vouchers import services


class Command(BaseCommand):
    help = "Reclaim vouchers past their deadlines (R8 → pool and backfill, R10 → reclaimed). Safe to run twice."

    def handle(self, *args, **options):
        done = services.reclaim_sweep()
        self.stdout.write(self.style.SUCCESS(" ".join(f"{key}={value}" for key, value in done.items())))
