from django.db.models import QuerySet
from django.utils.translation import gettext as _

from smevoucher.core import access

from .models import Document, Finding


def document_get_for(*, user, document_id) -> Document:
    document = Document.objects.select_related("organisation", "uploaded_by").filter(pk=document_id).first()
    return access.require(user, "documents.view_document", document)


def documents_of_organisation(organisation) -> QuerySet[Document]:
    return Document.objects.filter(organisation=organisation).select_related("uploaded_by", "replaced_by")


def versions_of(document: Document) -> list[Document]:
    """Newest first: the document, what it replaced, and so on back to the first upload."""
    chain = []
    current = document
    while current is not None:
        chain.append(current)
        current = current.replaces
    newer = []
    while hasattr(document, "replaced_by"):
        document = document.replaced_by
        newer.append(document)
    return list(reversed(newer)) + chain


def may_see_findings(user, document: Document) -> bool:
    """Findings name other organisations and their objects: only a reviewer whose remit covers the document's
    owner may read them (issue 14). The uploader, and whoever the document is shared with, learns nothing of
    them, not even that the file was seen before (that alone would let anyone probe for a file)."""
    return access.unit_covers_city(user, document.organisation.city_id)


def findings_for(document: Document, *, viewer) -> list[str]:
    """Readable lines for review screens: "this invoice file was also used in …"; empty for everyone but the
    reviewers."""
    if document is None or not may_see_findings(viewer, document):
        return []
    lines = []
    for finding in Finding.objects.filter(document=document).select_related("other_document__organisation"):
        other = finding.other_document
        if finding.reason == Finding.Reason.OTHER_ORGANISATION:
            lines.append(
                _("The same file was also uploaded by %(org)s (%(kind)s, %(date)s).")
                % {
                    "org": other.organisation.name,
                    "kind": other.get_kind_display(),
                    "date": f"{other.uploaded_at:%Y-%m-%d}",
                }
            )
        else:
            lines.append(
                _("The same file is also used for %(type)s no. %(id)s.")
                % {"type": finding.object_type.rsplit(".", 1)[-1], "id": finding.other_object_id}
            )
    return lines


def pending_document(*, actor, document_id, kind: str | None = None) -> Document | None:
    """One of the user's own uploads not yet used by any object (kept from a refused form), or None: a user can
    reference only their own pending documents."""
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        return None
    organisation_id = getattr(actor, "organisation_id", None)
    if organisation_id is None or not 0 < pk < 2**63:
        return None
    documents = Document.objects.filter(pk=pk, uploaded_by=actor, organisation_id=organisation_id, uses__isnull=True)
    if kind:
        documents = documents.filter(kind=kind)
    return documents.first()
