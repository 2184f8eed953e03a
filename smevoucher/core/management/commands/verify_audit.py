from django.core.management.base import BaseCommand, CommandError

from smevoucher.core import audit


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits non-zero and lists every break when it was tampered with."

    def handle(self, *args, **options):
        check = audit.verify_and_record(source="command")
        if not check.intact:
            for line in check.problems:
                self.stderr.write(line)
            raise CommandError(f"audit log: {check.problem_count} problem(s)")
        self.stdout.write(self.style.SUCCESS(f"audit log intact: {check.events} events"))
