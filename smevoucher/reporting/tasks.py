from celery import shared_task

from . import selectors


@shared_task
def refresh_figures() -> int:
    """The beat job (settings.CELERY_BEAT_SCHEDULE): rebuild every issued batch's figures from the ledger."""
    return selectors.figures_refresh()
