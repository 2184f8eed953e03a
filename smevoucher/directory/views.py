from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smevoucher.core.errors import ValidationFailed
from smevoucher.core.lists import page_of

from . import selectors, services, sheets
from .forms import CheckForm, EntryForm, ImportForm
from .models import Entry, Import, Level


def check(request):
    """Public eligibility look-up (R1): the first step of a provider's registration."""
    form = CheckForm(request.GET or None)
    result = None
    if form.is_valid():
        result = selectors.eligibility(form.cleaned_data["name"])
    context = {"form": form, "result": result}
    if result and result.eligible:
        context["continue_url"] = reverse("providers:register") + "?" + urlencode({"name": result.entry.name})
    template = (
        "directory/_check_result.html" if request.headers.get("HX-Target") == "check-result" else "directory/check.html"
    )
    return render(request, template, context)


def _keeper(request):
    if not request.user.has_perm("directory.manage_directory"):
        raise Http404


@login_required
def entry_list(request):
    if not request.user.has_perm("directory.view_directory"):
        raise Http404
    query, level, state = request.GET.get("q", "").strip(), request.GET.get("level", ""), request.GET.get("state", "")
    entries = selectors.entries_for_list(query=query, level=level, state=state)
    return render(
        request,
        "directory/list.html",
        {
            "page": page_of(request, entries),
            "filtered": bool(query or level or state),
            "query": query,
            "level": level,
            "state": state,
            "levels": Level.choices,
            "can_manage": request.user.has_perm("directory.manage_directory"),
            "imports": Import.objects.defer("content", "rows")[:5]
            if request.user.has_perm("directory.manage_directory")
            else [],
        },
    )


def _form_errors(form, exc: ValidationFailed):
    for field, problems in exc.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
    if not exc.fields:
        form.add_error(None, exc.message)


@login_required
def entry_edit(request, pk: int | None = None):
    _keeper(request)
    entry = get_object_or_404(Entry, pk=pk) if pk else None
    initial = {}
    if entry:
        initial = {
            "name": entry.name,
            "level": entry.level,
            "city": entry.city,
            "recognition_year": entry.recognition_year,
            "valid_until": entry.valid_until,
            "source": entry.source,
        }
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if entry:
                services.entry_update(actor=request.user, entry_id=entry.pk, **form.cleaned_data)
            else:
                entry = services.entry_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The directory entry is saved."))
            return redirect(reverse("directory:list") + "?" + urlencode({"q": entry.name}))
    return render(request, "directory/edit.html", {"form": form, "entry": entry})


@login_required
@require_POST
def entry_set_active(request, pk: int):
    _keeper(request)
    active = request.POST.get("active") == "1"
    entry = services.entry_set_active(actor=request.user, entry_id=pk, active=active)
    messages.success(
        request,
        (_("%(name)s is active again.") if active else _("%(name)s is deactivated: it can no longer register."))
        % {"name": entry.name},
    )
    return redirect(request.POST.get("next") or "directory:list")


@login_required
def template_download(request):
    _keeper(request)
    response = HttpResponse(
        sheets.template_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%90%8D%E5%BD%95%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
def import_upload(request):
    _keeper(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.directory_import_upload(actor=request.user, filename=upload.name, content=upload.read())
        except ValidationFailed as exc:
            _form_errors(form, exc)
        else:
            return redirect("directory:import", pk=job.pk)
    return render(request, "directory/import_upload.html", {"form": form})


@login_required
def import_detail(request, pk: int):
    _keeper(request)
    job = get_object_or_404(Import.objects.defer("content", "rows"), pk=pk)
    context = {"job": job, "errors": job.errors[:500], "more_errors": max(0, len(job.errors) - 500)}
    if job.status == Import.Status.READY:
        context["preview"] = selectors.import_preview(job.pk)
    if request.headers.get("HX-Target") == "import-progress":
        return render(request, "directory/_import_progress.html", context)
    return render(request, "directory/import_detail.html", context)


@login_required
@require_POST
def import_apply(request, pk: int):
    _keeper(request)
    try:
        job = services.directory_import_apply(actor=request.user, import_id=pk)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Imported: %(created)s new entries, %(updated)s updated.")
            % {"created": job.created, "updated": job.updated},
        )
    return redirect("directory:import", pk=pk)
