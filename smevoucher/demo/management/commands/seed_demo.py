from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from smevoucher.demo import data
from smevoucher.demo.seed import seed


class Command(BaseCommand):
    help = "Create demo data for every role (idempotent) and print one login per role."

    def handle(self, *args, **options):
        # The demo's own notifications stay in the platform; their e-mails are not printed or sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            logins = seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Site: {settings.SITE_URL}/"))
        self.stdout.write(f"Every demo password: {data.DEMO_PASSWORD}")
        for role, username, note in logins:
            self.stdout.write(f"  {role:<24} {username:<18} {note}")
        self.stdout.write("Staff accounts need a one-time code: add the TOTP key to an authenticator app, or run")
        self.stdout.write("  make totp NAME=unit_guangzhou")
