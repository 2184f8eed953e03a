"""The one service every upload goes through (R15, DESIGN §5): check, merge, fingerprint, store privately."""

import hashlib
import io
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from smevoucher.accounts.models import Organisation
from smevoucher.core import access, audit, clock
from smevoucher.core.errors import ValidationFailed

from . import checks
from .models import Document, Finding, Kind, Part, UploadDay, Use
from .selectors import pending_document


def _read(upload) -> tuple[str, bytes]:
    """(name, bytes) from an UploadedFile or a (name, bytes) pair."""
    if isinstance(upload, tuple):
        return upload
    upload.seek(0)
    return upload.name, upload.read()


def merge(inspected: list[checks.Inspected], budget: checks.Budget | None = None) -> tuple[bytes, int]:
    """One PDF from the files in the given order: PDFs keep their pages, images become pages. A single
    PDF is kept byte for byte. Merging counts against the material's time budget."""
    if len(inspected) == 1 and inspected[0].content_type == checks.PDF:
        return inspected[0].content, inspected[0].pages
    from pypdf import PdfReader, PdfWriter  # when used: see checks

    budget = budget or checks.Budget()
    writer = PdfWriter()
    for item in inspected:
        pdf = item.content if item.content_type == checks.PDF else checks.image_to_pdf(item.content)
        writer.append(PdfReader(io.BytesIO(pdf)))
        budget.check_time(item.name)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), len(writer.pages)


def _check_all(files: list[tuple[str, bytes]], budget: checks.Budget) -> list[checks.Inspected]:
    """Every file checked by content within one budget for the material (issue 14)."""
    if not files:
        raise ValidationFailed(fields={"files": [_("Choose at least one file.")]})
    if len(files) > settings.DOCUMENTS_MAX_FILES:
        raise ValidationFailed(
            fields={"files": [_("At most %(n)s files per material.") % {"n": settings.DOCUMENTS_MAX_FILES}]}
        )
    limit = settings.DOCUMENTS_MAX_BYTES
    too_big = _("the material may be at most %(limit)s in total.") % {"limit": filesizeformat(limit)}
    for name, content in files:
        if len(content) > limit:
            raise checks.FileRefused(name, too_big)
    if sum(len(content) for _name, content in files) > limit:
        raise ValidationFailed(
            fields={"files": [_("The files together are larger than %(limit)s.") % {"limit": filesizeformat(limit)}]}
        )
    return [checks.inspect(name, content, budget) for name, content in files]


def _is_approved(organisation: Organisation) -> bool:
    """Units are; an enterprise or a provider once its unit approved it. Asked through the one-to-one relations by
    name, so documents imports neither app (DESIGN §6)."""
    if organisation.is_unit:
        return True
    approved = Q(enterprise__status="approved") | Q(provider__status="approved")
    return Organisation.objects.filter(approved, pk=organisation.pk).exists()


def _daily_limits(organisation: Organisation) -> tuple[int, int, bool]:
    """(materials, bytes, approved) an organisation may upload per local calendar day."""
    if _is_approved(organisation):
        return settings.DOCUMENTS_DAILY_MATERIALS, settings.DOCUMENTS_DAILY_BYTES, True
    return settings.DOCUMENTS_DAILY_MATERIALS_PENDING, settings.DOCUMENTS_DAILY_BYTES_PENDING, False


def _over_daily_volume(organisation: Organisation, approved: bool, materials: int, size: int) -> ValidationFailed:
    message = _("Your organisation has reached today's upload limit (%(n)s materials or %(size)s a day).") % {
        "n": materials,
        "size": filesizeformat(size),
    }
    if not approved:
        message += " " + _("The limit is lower until your organisation is approved.")
    return ValidationFailed(message, code="daily_upload_limit", fields={"files": [message]})


def _require_daily_volume(organisation: Organisation, size: int, *, spend: bool) -> None:
    """Refuse an upload that would pass the organisation's daily volume. With spend, count it, by a conditional
    update in the caller's transaction: two concurrent uploads wait for each other on the day's row and cannot
    pass the limit together."""
    materials, max_bytes, approved = _daily_limits(organisation)
    today = clock.today()
    if not spend:  # a cheap look before the files are checked: an organisation over its limit costs no work
        day = UploadDay.objects.filter(organisation=organisation, day=today).first()
        if day and (day.materials >= materials or day.bytes + size > max_bytes):
            raise _over_daily_volume(organisation, approved, materials, max_bytes)
        if size > max_bytes:
            raise _over_daily_volume(organisation, approved, materials, max_bytes)
        return
    UploadDay.objects.get_or_create(organisation=organisation, day=today)
    spent = UploadDay.objects.filter(
        organisation=organisation, day=today, materials__lt=materials, bytes__lte=max_bytes - size
    ).update(materials=F("materials") + 1, bytes=F("bytes") + size)
    if not spent:
        raise _over_daily_volume(organisation, approved, materials, max_bytes)


@transaction.atomic
def document_upload(*, actor, kind: str, files: list, organisation=None, replaces: Document | None = None) -> Document:
    """Check every file by content, merge them in the given order into one PDF, fingerprint and store it
    privately. Refusals name the file and the reason; nothing is stored then."""
    organisation = organisation or actor.organisation
    if organisation is None or not (access.belongs_to(actor, organisation.pk)):
        raise ValidationFailed(fields={"files": [_("You can upload materials only for your own organisation.")]})
    if kind not in Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose the kind of material.")]})
    received = [_read(upload) for upload in files]
    size = sum(len(content) for _name, content in received)
    _require_daily_volume(organisation, size, spend=False)
    budget = checks.Budget()
    inspected = _check_all(received, budget)
    content, pages = merge(inspected, budget)
    if len(content) > settings.DOCUMENTS_MAX_BYTES:
        raise ValidationFailed(
            fields={
                "files": [
                    _("The merged material is larger than %(limit)s.")
                    % {"limit": filesizeformat(settings.DOCUMENTS_MAX_BYTES)}
                ]
            }
        )
    _require_daily_volume(organisation, size, spend=True)
    digest = hashlib.sha256(content).hexdigest()
    display_name = inspected[0].name.rsplit(".", 1)[0][:180] + ".pdf"
    path = default_storage.save(f"materials/{organisation.pk}/{uuid.uuid4().hex}.pdf", ContentFile(content))
    try:
        document = Document.objects.create(
            organisation=organisation,
            kind=kind,
            file=path,
            filename=display_name,
            content_type=checks.PDF,
            size=len(content),
            page_count=pages,
            sha256=digest,
            replaces=replaces,
            uploaded_by=actor,
        )
        Part.objects.bulk_create(
            Part(
                document=document,
                position=i,
                name=item.name[:200],
                content_type=item.content_type,
                size=len(item.content),
                sha256=hashlib.sha256(item.content).hexdigest(),
            )
            for i, item in enumerate(inspected)
        )
        _record_other_organisation_findings(document)
        audit.record(
            actor,
            "document.uploaded",
            document,
            after={
                "kind": kind,
                "sha256": digest,
                "pages": pages,
                "size": len(content),
                "files": [i.name for i in inspected],
                "replaces": replaces.pk if replaces else None,
            },
        )
    except BaseException:
        default_storage.delete(path)  # the row rolls back with the exception; the file must go too
        raise
    return document


@transaction.atomic
def document_replace(*, actor, document_id: int, files) -> Document:
    """A new version of a material; the old one is kept (and still downloadable by who could see it). `files` are
    uploaded files, or the user's own pending document of the same kind kept from a refused form (issue 13)."""
    old = Document.objects.select_for_update().filter(pk=document_id).first()
    access.require(actor, "documents.replace_document", old)
    if not old.is_current:
        raise ValidationFailed(fields={"files": [_("This version has already been replaced.")]})
    if isinstance(files, Document):
        return _adopt_as_replacement(actor=actor, pending=files, old=old)
    return document_upload(actor=actor, kind=old.kind, files=files, organisation=old.organisation, replaces=old)


def _adopt_as_replacement(*, actor, pending: Document, old: Document) -> Document:
    from .selectors import pending_document

    document = pending_document(actor=actor, document_id=pending.pk, kind=old.kind)
    if document is None or document.organisation_id != old.organisation_id or document.replaces_id is not None:
        raise ValidationFailed(fields={"files": [_("Choose the files again.")]})
    document.replaces = old
    document.save(update_fields=["replaces"])
    audit.record(actor, "document.replaces", document, after={"replaces": old.pk})
    return document


def _fingerprints(document: Document) -> set[str]:
    return {document.sha256, *document.parts.values_list("sha256", flat=True)}


def _same_content(document: Document):
    """Documents (this one included) sharing the stored file or any uploaded part with this one."""
    hashes = _fingerprints(document)
    return Document.objects.filter(Q(sha256__in=hashes) | Q(parts__sha256__in=hashes)).distinct()


def _record_other_organisation_findings(document: Document) -> None:
    for other in _same_content(document).exclude(organisation=document.organisation):
        shared = sorted(_fingerprints(document) & _fingerprints(other))[0]
        Finding.objects.get_or_create(
            document=document,
            reason=Finding.Reason.OTHER_ORGANISATION,
            other_document=other,
            object_id="",
            other_object_id="",
            defaults={"sha256": shared},
        )


@transaction.atomic
def document_use(*, document: Document, obj, role: str = "") -> Use:
    """Record that a document serves as material of obj (an order's invoice, …). The same content used for
    another object of the same type is recorded as a finding (e.g. one invoice file for two orders)."""
    object_type, object_id = audit.object_label(obj)
    use, _created = Use.objects.get_or_create(
        document=document, object_type=object_type, object_id=object_id, role=role
    )
    others = Use.objects.filter(document__in=_same_content(document), object_type=object_type).exclude(
        object_id=object_id
    )
    for other in others.select_related("document"):
        shared = sorted(_fingerprints(document) & _fingerprints(other.document))[0]
        Finding.objects.get_or_create(
            document=document,
            reason=Finding.Reason.OTHER_OBJECT,
            other_document=other.document,
            object_id=object_id,
            other_object_id=other.object_id,
            defaults={"sha256": shared, "object_type": object_type},
        )
    return use


def document_share(*, document: Document, organisations: Iterable) -> None:
    """Let another organisation read a document (the provider of an order reads the enterprise's contract)."""
    document.shared_with.add(*organisations)


class StoredFiles:
    """Uploaded materials are written to storage before the transaction commits; if it rolls back, the caller's
    `discard()` deletes them. `upload` also takes a pending document kept from a refused form (issue 13); a
    refusal names the form's field."""

    def __init__(self):
        self.paths: list[str] = []

    def upload(self, field: str, **kwargs) -> Document:
        if isinstance(kwargs.get("files"), Document):  # kept from a refused form (issue 13)
            document = pending_document(actor=kwargs["actor"], document_id=kwargs["files"].pk, kind=kwargs["kind"])
            if document is None:
                raise ValidationFailed(fields={field: [_("Choose the files again.")]})
            return document
        try:
            document = document_upload(**kwargs)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={field: exc.fields.get("files") or [exc.message]}) from exc
        self.paths.append(document.file.name)
        return document

    def replace(self, field: str, **kwargs) -> Document:
        try:
            document = document_replace(**kwargs)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={field: exc.fields.get("files") or [exc.message]}) from exc
        if not isinstance(kwargs.get("files"), Document):  # a kept pending document stays whatever happens
            self.paths.append(document.file.name)
        return document

    def discard(self):
        for path in self.paths:
            default_storage.delete(path)
