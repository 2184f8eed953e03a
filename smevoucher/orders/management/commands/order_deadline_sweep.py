from django.core.management.base import BaseCommand

from smevoucher.orders.services import order_deadline_sweep


class Command(BaseCommand):
    help = "Cancel orders without a contract past R9 and unpaid orders past R10, reclaiming their vouchers."

    def handle(self, *args, **options):
        done = order_deadline_sweep()
        if options["verbosity"]:
            self.stdout.write(f"orders reclaimed: {done}")
