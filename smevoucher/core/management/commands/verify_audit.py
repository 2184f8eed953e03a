from django.core.management.base import BaseCommand, CommandError

from smevoucher.core import audit
from smevoucher.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits non-zero and lists every break when it was tampered with."

    def handle(self, *args, **options):
        problems = audit.verify_chain()
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"audit log: {len(problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS(f"audit log intact: {AuditEvent.objects.count()} events"))
