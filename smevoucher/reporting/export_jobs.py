"""Export jobs: a user asks for an export, a background task writes it (with progress), the owner downloads it.

The job's rows are read with the requester's own scope when the task runs; the file goes through Django's
storage API under a random name and is handed out only by `job_get_for` (the owner; anyone else gets 404).
"""

import logging
import secrets
from datetime import timedelta

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smevoucher.core import jobs
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.replica import using_replica
from smevoucher.notices.services import notify

from . import exports
from .models import ExportJob

log = logging.getLogger(__name__)
MAX_OPEN_JOBS = 5  # a user's exports waiting or running at once
KEEP_DAYS = 7  # exported files hold personal data: they are deleted this many days after they were written


def jobs_of(user):
    return ExportJob.objects.filter(owner=user)


def job_get_for(*, user, job_id) -> ExportJob:
    """The user's own job; another user's job is "not found" (even for the same unit)."""
    job = jobs_of(user).filter(pk=job_id).first() if str(job_id).isdigit() else None
    if job is None:
        raise Http404
    return job


def export_request(*, actor, kind: str, fmt: str = "xlsx", filters: dict | None = None) -> ExportJob:
    """Record the job (filters checked now) and queue it once the request commits."""
    chosen = exports.kind_for(actor, kind)
    if fmt not in ExportJob.Format.values:
        raise ValidationFailed(fields={"format": [_("Choose XLSX or CSV.")]})
    cleaned = exports.clean_filters(chosen, filters)
    if jobs_of(actor).filter(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).count() >= MAX_OPEN_JOBS:
        raise ValidationFailed(_("Wait until one of your exports has finished."), code="too_many_exports")
    job = ExportJob.objects.create(owner=actor, kind=chosen.code, format=fmt, filters=cleaned)
    jobs.queue_after_commit("smevoucher.reporting.tasks.run_export", job.pk, translation.get_language())
    return job


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file. Returns quietly when the job is gone or already started (a repeated task)."""
    started = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not started:
        return None
    job = ExportJob.objects.select_related("owner__organisation").get(pk=job_id)
    try:
        kind = exports.kind_for(job.owner, job.kind)
        total = using_replica(exports.queryset(kind, job.owner, job.filters)).count()
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total)

        def progress(count):
            ExportJob.objects.filter(pk=job.pk).update(row_count=count)

        body = exports.rows(kind, job.owner, job.filters)
        handle, count = exports.write(kind, job.format, exports.headers(kind), body, on_progress=progress)
        with handle:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            name = f"exports/{job.owner_id}/{kind.code}-{stamp}-{secrets.token_hex(8)}.{job.format}"
            stored = default_storage.save(name, File(handle, name=name))
    except Exception as exc:  # the job must end in a visible state, whatever went wrong while writing
        log.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        return None
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, file=stored, row_count=count, finished_at=timezone.now()
    )
    job.refresh_from_db()
    notify(
        [job.owner],
        event="export.ready",
        title=_("Your export is ready: %(kind)s, %(n)s rows") % {"kind": kind.label, "n": count},
        url=reverse("reporting:exports"),
        obj=job,
    )
    return job


def file_name(job: ExportJob) -> str:
    """The name offered to the browser (the stored name stays random)."""
    return f"{job.kind_label}-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.{job.format}"


def exports_purge() -> int:
    """Delete the files of exports older than KEEP_DAYS (the job stays, marked expired); returns how many."""
    old = ExportJob.objects.filter(
        status=ExportJob.Status.DONE, finished_at__lt=timezone.now() - timedelta(days=KEEP_DAYS)
    )
    count = 0
    for job in old.iterator(chunk_size=500):
        if job.file:
            default_storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        count += 1
    return count
