from django.core.management.base import BaseCommand

from smevoucher.vouchers import services


class Command(BaseCommand):
    help = "Remind enterprises 7 and 1 days before each voucher deadline (R14). Sends each reminder once."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"reminders sent: {services.send_reminders()}"))
