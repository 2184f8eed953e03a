"""Shared helpers of the catalogue services: locking, materials, the approved-provider guard."""

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from smevoucher.core import access
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.documents.models import Document, Kind
from smevoucher.documents.services import document_upload
from smevoucher.providers.models import Provider

from ..models import (
    Product,
)

TEXT_FIELDS = {
    "name": 100,
    "overview": 4000,
    "process": 4000,
    "duration": 100,
    "deliverables": 4000,
    "acceptance_criteria": 4000,
    "guidance_title": 200,
    "guidance_number": 100,
    "basis_cost": 2000,
    "basis_profit": 2000,
    "basis_tax": 2000,
}
CONTENT_KEYS = {
    *TEXT_FIELDS,
    "category",
    "regions",
    "target_sizes",
    "target_industries",
    "pricing",
    "sub_products",
    "price_fen",
    "tiers",
    "comparables",
    "qualification",
    "pricing_document",
}


class _Stored:
    """Materials are written to storage before the transaction commits; if it rolls back, delete them."""

    def __init__(self):
        self.paths: list[str] = []

    def discard(self):
        for path in self.paths:
            default_storage.delete(path)


def _guarded(function):
    """Run a service with a _Stored collector; on any failure the uploaded files are removed again."""

    def wrapper(**kwargs):
        stored = _Stored()
        try:
            return function(stored=stored, **kwargs)
        except BaseException:
            stored.discard()
            raise

    wrapper.__doc__, wrapper.__name__ = function.__doc__, function.__name__
    return wrapper


def _material(*, actor, provider: Provider, kind: str, value, field: str, stored: _Stored) -> Document:
    """A material given as uploaded files (in order) or as the id of one of the provider's own documents."""
    if isinstance(value, Document | int) and not isinstance(value, bool):
        document_id = value.pk if isinstance(value, Document) else value
        document = Document.objects.filter(pk=document_id, organisation_id=provider.organisation_id).first()
        if document is None or document.kind != kind:
            raise ValidationFailed(
                fields={
                    field: [_("Choose one of your own materials of the kind “%(kind)s”.") % {"kind": Kind(kind).label}]
                }
            )
        return document
    try:
        document = document_upload(actor=actor, kind=kind, files=list(value), organisation=provider.organisation)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields={field: exc.fields.get("files") or [exc.message]}) from exc
    stored.paths.append(document.file.name)
    return document


def _locked_product(product_id: int) -> Product | None:
    return Product.objects.select_for_update().select_related("provider__organisation").filter(pk=product_id).first()


def _for_change(actor, product_id: int) -> Product:
    return access.require(actor, "catalogue.change_product", _locked_product(product_id))


def _require_approved_provider(provider: Provider | None) -> Provider:
    if provider is None:
        raise Conflict(_("Only a registered service provider publishes products."), code="not_a_provider")
    if provider.status != Provider.Status.APPROVED:
        raise Conflict(
            _("Your provider registration must be approved before you publish products."), code="provider_not_approved"
        )
    return provider
