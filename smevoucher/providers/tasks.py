from celery import shared_task

from . import services


@shared_task
def send_letter_reminders() -> int:
    """R3 each year: commitment-letter reminders (listed in settings.CELERY_BEAT_SCHEDULE); safe to run twice."""
    return services.letter_send_reminders()
