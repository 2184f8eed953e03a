"""Export pages: ask for an export, watch its progress (htmx polls one row), download the file (owner only)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smevoucher.accounts.models import City
from smevoucher.core import access
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.forms import add_domain_errors
from smevoucher.vouchers.selectors import batches_visible_to

from . import export_jobs, exports
from .models import ExportJob

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
AUDIT_FIELDS = ("object_type", "object_id", "actor", "action")


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to export"))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportJob.Format.choices, initial="xlsx")
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    batch = forms.TypedChoiceField(label=gettext_lazy("Batch"), required=False, coerce=int, empty_value=None)
    city = forms.TypedChoiceField(label=gettext_lazy("City"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.label) for k in exports.kinds_for(user)]
        everything = [("", _("All"))]
        batches = batches_visible_to(user).order_by("-claim_start").values_list("pk", "name", "city__name")[:200]
        self.fields["batch"].choices = everything + [(pk, f"{city} · {name}") for pk, name, city in batches]
        if access.is_province_unit(user):
            self.fields["city"].choices = everything + list(City.objects.values_list("pk", "name"))
        else:
            del self.fields["city"]


def _unit(request):
    if not exports.kinds_for(request.user):
        raise PermissionDenied


@login_required
def export_list(request):
    """The user's exports (newest first) and the form to ask for another one."""
    _unit(request)
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filters = {key: data[key] for key in ("since", "until", "batch", "city") if data.get(key)}
        filters = {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in filters.items()}
        try:
            export_jobs.export_request(actor=request.user, kind=data["kind"], fmt=data["format"], filters=filters)
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Your export was requested; it is written in the background."))
            return redirect("reporting:exports")
    jobs = export_jobs.jobs_of(request.user)[:30]
    return render(request, "reporting/exports.html", {"form": form, "jobs": jobs}, status=400 if form.errors else 200)


@login_required
@require_POST
def export_audit(request):
    """The audit search page's "export these events" button: the same search as an export job."""
    _unit(request)
    filters = {key: request.POST.get(key, "") for key in (*AUDIT_FIELDS, "since", "until")}
    fmt = request.POST.get("format", "xlsx")
    try:
        export_jobs.export_request(actor=request.user, kind="audit", fmt=fmt, filters=filters)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message) + " " + " ".join(str(m) for v in exc.fields.values() for m in v))
        return redirect("reporting:audit")
    messages.success(request, _("Your export was requested; it is written in the background."))
    return redirect("reporting:exports")


@login_required
def export_progress(request, pk: int):
    """One job's row, polled by htmx while the job runs."""
    job = export_jobs.job_get_for(user=request.user, job_id=pk)
    return render(request, "reporting/_export_row.html", {"job": job})


@login_required
def export_download(request, pk: int):
    return file_response(export_jobs.job_get_for(user=request.user, job_id=pk))


def file_response(job: ExportJob) -> FileResponse:
    """The job's file, to its owner only (the caller fetched the job through `job_get_for`)."""
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    handle = default_storage.open(job.file.name, "rb")
    response = FileResponse(handle, as_attachment=True, filename=export_jobs.file_name(job))
    response["Content-Type"] = CONTENT_TYPES[job.format]
    response["Cache-Control"] = "no-store"
    return response
