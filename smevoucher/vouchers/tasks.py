"""Background jobs (listed in settings.CELERY_BEAT_SCHEDULE). Each takes ids, re-fetches and calls one service;
when the state has moved on it returns quietly."""

from celery import shared_task

from smevoucher.core import clock

from . import services
from .models import Batch


@shared_task(ignore_result=True)
def allocate_batch(batch_id: int) -> None:
    if Batch.objects.filter(pk=batch_id, status=Batch.Status.OPEN, claim_end__lte=clock.now()).exists():
        services.batch_allocate(actor=None, batch_id=batch_id)


@shared_task(ignore_result=True)
def allocate_due_batches() -> int:
    """R6: allocate every open batch whose claim window has closed."""
    due = list(Batch.objects.filter(status=Batch.Status.OPEN, claim_end__lte=clock.now()).values_list("pk", flat=True))
    for batch_id in due:
        allocate_batch(batch_id)
    return len(due)


@shared_task(ignore_result=True)
def backfill_batch(batch_id: int) -> None:
    """递补 after a reclaim to the pool committed (R6)."""
    services.batch_backfill(actor=None, batch_id=batch_id)


@shared_task(ignore_result=True)
def reclaim_sweep() -> dict:
    """R8/R10 reclaims whose deadline has passed."""
    return services.reclaim_sweep()


@shared_task(ignore_result=True)
def send_reminders() -> int:
    """R14 reminders 7 and 1 days before each deadline."""
    return services.send_reminders()
