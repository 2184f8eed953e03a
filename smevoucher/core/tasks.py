from celery import shared_task

from . import audit


@shared_task(ignore_result=True)
def seal_audit_log() -> int:
    """Chain newly committed audit events (queued after each commit, and periodically)."""
    return audit.seal_pending()


@shared_task(ignore_result=True)
def verify_audit_log() -> bool:
    """Verify the whole chain periodically and record the outcome (shown on the audit trail page)."""
    return audit.verify_and_record(source="schedule").intact
