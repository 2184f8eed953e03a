from celery import shared_task

from . import services


@shared_task
def order_deadline_sweep() -> int:
    """R9/R10 for orders (listed in settings.CELERY_BEAT_SCHEDULE); safe to run twice."""
    return services.order_deadline_sweep()


@shared_task
def send_order_reminders() -> int:
    """R14: contract-deadline and provider voucher-expiry reminders (listed in settings.CELERY_BEAT_SCHEDULE);
    safe to run twice."""
    from .reminders import order_send_reminders

    return order_send_reminders()


@shared_task
def tell_provider_suspended(provider_id: int) -> int:
    """Manual 三: queued by providers.provider_suspend after it commits."""
    return services.tell_provider_suspended(provider_id=provider_id)
