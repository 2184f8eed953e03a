from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from smevoucher.core.errors import ValidationFailed
from smevoucher.core.forms import add_domain_errors
from smevoucher.core.lists import page_of

from . import selectors, services
from .forms import ReplaceForm, UploadForm


def file_response(document, *, inline: bool = False) -> FileResponse:
    """The stored PDF through a permission-checked view only; never a public URL."""
    response = FileResponse(
        default_storage.open(document.file.name, "rb"),
        as_attachment=not inline,
        filename=document.filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # An uploaded file is untrusted content on our origin: opened inline (previews in a frame or a tab) it runs in
    # a sandbox, with no scripts, forms, or access to the site's cookies and storage (issue 14).
    response["Content-Security-Policy"] = "sandbox"
    return response


def _detail(request, document, replace_form=None, status=200):
    can_replace = request.user.has_perm("documents.replace_document", document) and document.is_current
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "versions": selectors.versions_of(document),
            "findings": selectors.findings_for(document, viewer=request.user),
            "replace_form": (replace_form or ReplaceForm()) if can_replace else None,
        },
        status=status,
    )


@login_required
def document_list(request):
    if not request.user.has_perm("documents.upload_document"):
        raise PermissionDenied
    documents = selectors.documents_of_organisation(request.user.organisation)
    page = page_of(request, documents)
    return render(request, "documents/list.html", {"documents": page, "page": page})


@login_required
def upload(request):
    if not request.user.has_perm("documents.upload_document"):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_upload(
                actor=request.user, kind=form.cleaned_data["kind"], files=form.cleaned_data["files"]
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(
                request, _("The material was uploaded as one PDF of %(n)s pages.") % {"n": document.page_count}
            )
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/upload.html", {"form": form})


@login_required
def detail(request, pk: int):
    return _detail(request, selectors.document_get_for(user=request.user, document_id=pk))


@login_required
@require_POST
def replace(request, pk: int):
    document = selectors.document_get_for(user=request.user, document_id=pk)
    form = ReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            new = services.document_replace(
                actor=request.user, document_id=document.pk, files=form.cleaned_data["files"]
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("A new version was uploaded; the previous one is kept."))
            return redirect("documents:detail", pk=new.pk)
    return _detail(request, document, replace_form=form, status=400)


@login_required
def download(request, pk: int):
    return file_response(selectors.document_get_for(user=request.user, document_id=pk))


@login_required
@xframe_options_sameorigin  # review pages show the material beside the data in a frame of our own site
def preview(request, pk: int):
    return file_response(selectors.document_get_for(user=request.user, document_id=pk), inline=True)
