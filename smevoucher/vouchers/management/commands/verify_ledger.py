from django.core.management.base import BaseCommand, CommandError

from smevoucher.vouchers.models import LedgerAccount, LedgerTransaction
from smevoucher.vouchers.selectors import ledger_problems


class Command(BaseCommand):
    help = "Recompute every balance from the ledger and check DESIGN §4's invariants; non-zero exit on a difference."

    def handle(self, *args, **options):
        problems = ledger_problems()
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"ledger: {len(problems)} problem(s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"ledger consistent: {LedgerTransaction.objects.count()} transactions, "
                f"{LedgerAccount.objects.count()} accounts"
            )
        )
