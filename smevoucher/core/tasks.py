from celery import shared_task

from . import audit


@shared_task(ignore_result=True)
def seal_audit_log() -> int:
    """Chain newly committed audit events (queued after each commit, and periodically)."""
    return audit.seal_pending()
