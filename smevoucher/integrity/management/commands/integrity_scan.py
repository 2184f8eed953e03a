from django.core.management.base import BaseCommand

from smevoucher.integrity import services
from smevoucher.integrity.signals import load


class Command(BaseCommand):
    help = "Run the integrity signals over all orders (the nightly full scan) and raise flags."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", choices=sorted(load()), help="only these signals")

    def handle(self, *args, kind=None, **options):
        report = services.scan(kinds=kind)
        for name, figures in report.items():
            self.stdout.write(f"{name}: {figures['found']} found, {figures['new']} new, {figures['seconds']} s")
