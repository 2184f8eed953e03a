from celery import shared_task

from . import services


@shared_task
def scan_order(order_id: int) -> dict:
    """The incremental run after an order's event; returns quietly when the order is gone."""
    return services.scan_order(order_id=order_id)


@shared_task
def nightly_scan() -> dict:
    """The full scan (listed in settings.CELERY_BEAT_SCHEDULE); safe to run twice."""
    return services.scan()
