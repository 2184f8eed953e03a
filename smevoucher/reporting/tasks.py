from celery import shared_task
from django.utils import translation

from . import selectors


@shared_task(ignore_result=True)
def run_export(job_id: int, language: str | None = None) -> None:
    """Write a requested export (in the requester's language) and notify its owner."""
    from .export_jobs import export_run

    with translation.override(language):
        export_run(job_id=job_id)


@shared_task(ignore_result=True)
def purge_exports() -> int:
    """Delete exported files past their keeping period (periodic)."""
    from .export_jobs import exports_purge

    return exports_purge()


@shared_task
def refresh_figures() -> int:
    """The beat job (settings.CELERY_BEAT_SCHEDULE): rebuild every issued batch's figures from the ledger."""
    return selectors.figures_refresh()
