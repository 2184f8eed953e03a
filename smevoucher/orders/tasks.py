from celery import shared_task

from . import services


@shared_task
def order_deadline_sweep() -> int:
    """R9/R10 for orders (listed in settings.CELERY_BEAT_SCHEDULE); safe to run twice."""
    return services.order_deadline_sweep()
