from django.core.management.base import BaseCommand

from smevoucher.orders.reminders import order_send_reminders


class Command(BaseCommand):
    help = "Remind of orders whose contract is due, and providers of unpaid vouchers expiring, in 7 or 1 days (R14)."

    def handle(self, *args, **options):
        sent = order_send_reminders()
        if options["verbosity"]:
            self.stdout.write(f"reminders sent: {sent}")
