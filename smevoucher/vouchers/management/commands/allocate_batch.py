from django.core.management.base import BaseCommand, CommandError

from smevoucher.core.errors import DomainError
from smevoucher.vouchers import services
from smevoucher.vouchers.models import Batch


class Command(BaseCommand):
    help = "Allocate a batch whose claim window has closed (R6): priority enterprises first, then submission order."

    requires_system_checks = []  # run by the unit's button through a worker, or by hand: the deploy checks the project

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)

    def handle(self, *args, batch_id: int, **options):
        try:
            batch = services.batch_allocate(actor=None, batch_id=batch_id)
        except Batch.DoesNotExist as exc:
            raise CommandError(f"batch {batch_id} does not exist") from exc
        except DomainError as exc:
            raise CommandError(f"batch {batch_id}: {exc}") from exc
        allocated = batch.claims.filter(allocated_fen__gt=0).count()
        self.stdout.write(self.style.SUCCESS(f"batch {batch.pk} is {batch.status}: {allocated} claims allocated"))
