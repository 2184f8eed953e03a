import os
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Update every project app's zh_Hans catalogue (<app>/locale) with makemessages, app by app."

    def handle(self, *args, **options):
        start = os.getcwd()
        try:
            for config in apps.get_app_configs():
                path = Path(config.path)
                if config.name.startswith("smevoucher.") and (path / "locale").is_dir():
                    os.chdir(path)
                    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
                    self.stdout.write(f"{config.label}: {path / 'locale'}")
        finally:
            os.chdir(start)
