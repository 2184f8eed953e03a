from django.core.management.base import BaseCommand

from smevoucher.vouchers import services


class Command(BaseCommand):
    help = (
        "Apply every deadline in one pass: orders without a contract (R9) and unpaid orders past the validity end "
        "(R10) are cancelled, wallets past R8 go to the pool and are backfilled, R10 reclaims the rest. Safe to run "
        "twice."
    )

    requires_system_checks = []  # a scheduled job: the deploy checks the project, not every run

    def handle(self, *args, **options):
        done = services.reclaim_sweep()
        self.stdout.write(self.style.SUCCESS(" ".join(f"{key}={value}" for key, value in done.items())))
