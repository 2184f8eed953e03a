"""R5: the sets of historical service materials of the working revision (contract, invoice, evidence)."""

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from smevoucher.core import audit
from smevoucher.core.errors import ValidationFailed
from smevoucher.documents.models import Document, Kind

from .. import requirements as req
from ..models import (
    Evidence,
    MaterialSet,
    ProductRevision,
)
from ._common import (
    _for_change,
    _guarded,
    _material,
    _require_approved_provider,
)
from .content import _editable_revision

# --- content ---------------------------------------------------------------------------------------------------


def _set_documents(*, actor, provider, category, contract, invoice, evidence, stored) -> tuple:
    items = dict(req.evidence_for(category))
    unknown = [item for item in (evidence or {}) if item not in items]
    if unknown:
        raise ValidationFailed(fields={"evidence": [_("Unknown evidence item for this category.")]})
    contract_doc = contract and _material(
        actor=actor, provider=provider, kind=Kind.HISTORY_CONTRACT, value=contract, field="contract", stored=stored
    )
    invoice_doc = invoice and _material(
        actor=actor, provider=provider, kind=Kind.HISTORY_INVOICE, value=invoice, field="invoice", stored=stored
    )
    evidence_docs = {
        item: _material(
            actor=actor,
            provider=provider,
            kind=Kind.HISTORY_DELIVERABLE,
            value=value,
            field=f"evidence_{item}",
            stored=stored,
        )
        for item, value in (evidence or {}).items()
        if value
    }
    return contract_doc, invoice_doc, evidence_docs


@_guarded
@transaction.atomic
def material_set_add(
    *, actor, product_id: int, title: str, contract, invoice, evidence: dict | None = None, stored
) -> MaterialSet:
    """R5: add a set of historical service materials (contract, invoice and the category's deliverable evidence;
    evidence items may follow later). At most 5 sets."""
    product = _for_change(actor, product_id)
    provider = _require_approved_provider(product.provider)
    title = (title or "").strip()[:200]
    errors = {}
    if not title:
        errors["title"] = [_("Name the client or project of this set (it may be anonymised).")]
    if not contract:
        errors["contract"] = [_("Upload the contract.")]
    if not invoice:
        errors["invoice"] = [_("Upload the invoice.")]
    if errors:
        raise ValidationFailed(fields=errors)
    revision, created = _editable_revision(product, actor=actor)
    if repeated := _same_set(revision, title=title, contract=contract, invoice=invoice):
        return repeated  # a repeated click finds the set already added
    if revision.material_sets.count() >= req.MAX_SETS:
        raise ValidationFailed(
            _("At most %(n)s sets of historical materials.") % {"n": req.MAX_SETS}, code="too_many_sets"
        )
    contract_doc, invoice_doc, evidence_docs = _set_documents(
        actor=actor,
        provider=provider,
        category=revision.category,
        contract=contract,
        invoice=invoice,
        evidence=evidence,
        stored=stored,
    )
    position = (revision.material_sets.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    material_set = MaterialSet.objects.create(
        revision=revision, position=position, title=title, contract=contract_doc, invoice=invoice_doc
    )
    Evidence.objects.bulk_create(
        Evidence(material_set=material_set, item=item, document=doc) for item, doc in evidence_docs.items()
    )
    if created:
        audit.record(actor, "product.revision_started", product, after={"revision": revision.number})
    audit.record(
        actor,
        "product.material_set_added",
        product,
        after={"revision": revision.number, "set": position, "title": title},
    )
    return material_set


def _fingerprints(value) -> list[str] | None:
    """SHA-256 of each uploaded file, in order (None for a document id)."""
    if isinstance(value, Document | int):
        return None
    return [hashlib.sha256(content).hexdigest() for _name, content in (_read(item) for item in value)]


def _read(upload) -> tuple[str, bytes]:
    if isinstance(upload, tuple):
        return upload
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return upload.name, content


def _same_set(revision: ProductRevision, *, title: str, contract, invoice) -> MaterialSet | None:
    """The set this request already added (same title, same contract and invoice files), if any."""
    contract_hashes, invoice_hashes = _fingerprints(contract), _fingerprints(invoice)
    for material_set in revision.material_sets.filter(title=title).select_related("contract", "invoice"):
        same_contract = (
            material_set.contract_id == contract
            if contract_hashes is None
            else list(material_set.contract.parts.values_list("sha256", flat=True)) == contract_hashes
        )
        same_invoice = (
            material_set.invoice_id == invoice
            if invoice_hashes is None
            else list(material_set.invoice.parts.values_list("sha256", flat=True)) == invoice_hashes
        )
        if same_contract and same_invoice:
            return material_set
    return None


def _set_in_working_revision(product, revision, position: int) -> MaterialSet:
    material_set = revision.material_sets.filter(position=position).first()
    if material_set is None:
        raise ValidationFailed(_("This set of materials does not exist."), code="no_such_set")
    return material_set


@_guarded
@transaction.atomic
def material_set_update(
    *,
    actor,
    product_id: int,
    position: int,
    title: str | None = None,
    contract=None,
    invoice=None,
    evidence: dict | None = None,
    stored,
) -> MaterialSet:
    """Replace the title or any material of one set (given by its number in the working revision)."""
    product = _for_change(actor, product_id)
    provider = _require_approved_provider(product.provider)
    revision, _created = _editable_revision(product, actor=actor)
    material_set = _set_in_working_revision(product, revision, position)
    contract_doc, invoice_doc, evidence_docs = _set_documents(
        actor=actor,
        provider=provider,
        category=revision.category,
        contract=contract,
        invoice=invoice,
        evidence=evidence,
        stored=stored,
    )
    if title is not None and title.strip():
        material_set.title = title.strip()[:200]
    if contract_doc:
        material_set.contract = contract_doc
    if invoice_doc:
        material_set.invoice = invoice_doc
    material_set.save()
    for item, document in evidence_docs.items():
        Evidence.objects.update_or_create(material_set=material_set, item=item, defaults={"document": document})
    audit.record(
        actor,
        "product.material_set_changed",
        product,
        after={"revision": revision.number, "set": position, "replaced": sorted(evidence_docs)},
    )
    return material_set


@transaction.atomic
def material_set_remove(*, actor, product_id: int, position: int) -> None:
    """Remove one set from the working revision; the sets after it move up one place."""
    product = _for_change(actor, product_id)
    revision, _created = _editable_revision(product, actor=actor)
    material_set = revision.material_sets.filter(position=position).first()
    if material_set is None:
        return  # a repeated click finds it gone
    material_set.delete()
    for later in revision.material_sets.filter(position__gt=position).order_by("position"):
        MaterialSet.objects.filter(pk=later.pk).update(position=later.position - 1)
    audit.record(actor, "product.material_set_removed", product, after={"revision": revision.number, "set": position})
