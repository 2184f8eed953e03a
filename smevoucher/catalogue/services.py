"""Publishing service products (flow step 2, R5), their review by the unit R4 names, and take-down.

Every write locks the Product row first, so two requests on one product run one after the other. Approved
revisions and their tiers, comparables and material sets are never written again (orders keep them)."""

import hashlib

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.accounts.models import City
from smevoucher.core import access, audit, clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.documents.models import Document, Kind
from smevoucher.documents.services import document_upload, document_use
from smevoucher.enterprises.models import Industry, Size
from smevoucher.notices.services import notify_organisation
from smevoucher.providers.models import Provider
from smevoucher.providers.selectors import provider_of, reviewing_unit, service_cities

from . import requirements as req
from .models import (
    Category,
    Comparable,
    Evidence,
    MaterialSet,
    Product,
    ProductRevision,
    ProductTier,
    RevisionRegion,
)
from .selectors import working_revision

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


# --- content ---------------------------------------------------------------------------------------------------


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return None


def _clean_content(values: dict, *, provider: Provider) -> tuple[dict, dict[str, list[str]]]:
    """Check form-level validity of the given content keys (what a draft may hold); completeness is checked
    when the revision is submitted (`missing_items`)."""
    unknown = set(values) - CONTENT_KEYS
    if unknown:
        raise ValidationFailed(fields={key: [_("Unknown field.")] for key in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for field, limit in TEXT_FIELDS.items():
        if field in values:
            text = (values[field] or "").strip()
            if len(text) > limit:
                errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
            cleaned[field] = text
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = [_("Enter the product name.")]
    if "category" in values:
        if values["category"] not in Category.values:
            errors["category"] = [_("Choose the category of the service.")]
        cleaned["category"] = values["category"]
    if "regions" in values:
        ids = []
        for city in values["regions"] or []:
            ids.append(city.pk if isinstance(city, City) else city)
        valid = all(_as_int(i) is not None for i in ids)
        found = dict(City.objects.filter(pk__in=ids).values_list("pk", "name")) if valid else {}
        if not valid or len(found) != len(set(ids)):
            errors["regions"] = [_("Choose cities from the list.")]
        else:
            allowed = set(service_cities(provider).values_list("pk", flat=True))
            outside = [found[i] for i in ids if i not in allowed]
            if outside:
                # R2: the region must be within the provider's service scope.
                errors["regions"] = [
                    _("Your organisation may not serve enterprises of %(cities)s (outside its service scope).")
                    % {"cities": "、".join(outside)}
                ]
        cleaned["regions"] = [] if errors.get("regions") else sorted(set(ids))
    for field, choices, message in (
        ("target_sizes", Size.values, _("Choose enterprise sizes from the list.")),
        ("target_industries", Industry.values, _("Choose industries from the list.")),
    ):
        if field in values:
            items = list(values[field] or [])
            if any(item not in choices for item in items):
                errors[field] = [message]
            cleaned[field] = [c for c in choices if c in items]
    if "pricing" in values:
        if values["pricing"] not in ProductRevision.Pricing.values:
            errors["pricing"] = [_("Choose one price or a price range with tiers.")]
        cleaned["pricing"] = values["pricing"]
    if "price_fen" in values:
        price = values["price_fen"]
        if price is not None and (_as_int(price) is None or price <= 0):
            errors["price_fen"] = [_("The price must be more than zero.")]
        cleaned["price_fen"] = price
    if "tiers" in values:
        tiers = []
        for index, tier in enumerate(values["tiers"] or [], start=1):
            price = tier.get("price_fen")
            if _as_int(price) is None or price <= 0:
                errors.setdefault("tiers", []).append(_("Tier %(n)s: the price must be more than zero.") % {"n": index})
            tiers.append(
                {
                    "name": (tier.get("name") or "").strip()[:100],
                    "description": (tier.get("description") or "").strip()[:2000],
                    "price_fen": price,
                }
            )
        if len(tiers) > req.MAX_TIERS:
            errors.setdefault("tiers", []).append(_("At most %(n)s tiers.") % {"n": req.MAX_TIERS})
        cleaned["tiers"] = tiers
    if "comparables" in values:
        rows = []
        for index, row in enumerate(values["comparables"] or [], start=1):
            price = row.get("price_fen")
            if _as_int(price) is None or price < 0:
                errors.setdefault("comparables", []).append(_("Comparable %(n)s: enter its price.") % {"n": index})
            rows.append(
                {
                    "competitor": (row.get("competitor") or "").strip()[:200],
                    "product_name": (row.get("product_name") or "").strip()[:200],
                    "price_fen": price,
                    "source": (row.get("source") or "").strip()[:300],
                }
            )
        if len(rows) > req.MAX_COMPARABLES:
            errors.setdefault("comparables", []).append(_("At most %(n)s comparables.") % {"n": req.MAX_COMPARABLES})
        cleaned["comparables"] = rows
    for field in ("qualification", "pricing_document"):
        if values.get(field) is not None:
            cleaned[field] = values[field]
    return cleaned, errors


def _copy_revision(source: ProductRevision, *, actor) -> ProductRevision:
    """A new working revision with the content of source (editing a published product, R5)."""
    fields = [
        f.name
        for f in ProductRevision._meta.concrete_fields
        if f.name
        not in {
            "id",
            "number",
            "state",
            "review_note",
            "created_by",
            "created_at",
            "submitted_at",
            "decided_at",
            "decided_by",
        }
    ]
    number = source.product.revisions.order_by("-number").values_list("number", flat=True).first() + 1
    revision = ProductRevision.objects.create(
        number=number, created_by=actor, **{name: getattr(source, name) for name in fields}
    )
    RevisionRegion.objects.bulk_create(
        RevisionRegion(revision=revision, city_id=r.city_id) for r in source.region_rows.all()
    )
    ProductTier.objects.bulk_create(
        ProductTier(
            revision=revision, position=t.position, name=t.name, description=t.description, price_fen=t.price_fen
        )
        for t in source.tiers.all()
    )
    Comparable.objects.bulk_create(
        Comparable(
            revision=revision,
            position=c.position,
            competitor=c.competitor,
            product_name=c.product_name,
            price_fen=c.price_fen,
            source=c.source,
        )
        for c in source.comparables.all()
    )
    for old in source.material_sets.prefetch_related("evidence"):
        new = MaterialSet.objects.create(
            revision=revision,
            position=old.position,
            title=old.title,
            contract_id=old.contract_id,
            invoice_id=old.invoice_id,
        )
        Evidence.objects.bulk_create(
            Evidence(material_set=new, item=e.item, document_id=e.document_id) for e in old.evidence.all()
        )
    return revision


def _editable_revision(product: Product, *, actor) -> tuple[ProductRevision, bool]:
    """The draft or returned revision to edit; editing a published product starts a new revision from the approved
    one, which stays in the catalogue meanwhile. Refused while a revision waits for review."""
    revision = working_revision(product)
    if revision is None:
        source = product.revisions.filter(state=ProductRevision.State.APPROVED).order_by("-number").first()
        return _copy_revision(source, actor=actor), True
    if revision.state == ProductRevision.State.SUBMITTED:
        raise Conflict(
            _("The product is waiting for review; it can be changed again once the unit has decided."),
            code="in_review",
        )
    return revision, False


def _apply(revision: ProductRevision, cleaned: dict, *, actor, provider, stored) -> list[str]:
    """Write the cleaned content into an editable revision; returns the changed keys."""
    changed = []
    for field in [*TEXT_FIELDS, "category", "target_sizes", "target_industries", "pricing"]:
        if field in cleaned and getattr(revision, field) != cleaned[field]:
            setattr(revision, field, cleaned[field])
            changed.append(field)
    if "regions" in cleaned:
        current = set(revision.region_rows.values_list("city_id", flat=True))
        if current != set(cleaned["regions"]):
            revision.region_rows.all().delete()
            RevisionRegion.objects.bulk_create(RevisionRegion(revision=revision, city_id=i) for i in cleaned["regions"])
            changed.append("regions")
    tiers = None
    if revision.pricing == ProductRevision.Pricing.SINGLE and "price_fen" in cleaned:
        price = cleaned["price_fen"]
        tiers = [{"name": "", "description": "", "price_fen": price}] if price else []
    elif revision.pricing == ProductRevision.Pricing.SINGLE and "pricing" in changed:
        tiers = []  # switched to one price without giving it: the old tiers do not become that price
    elif revision.pricing == ProductRevision.Pricing.TIERS and "tiers" in cleaned:
        tiers = cleaned["tiers"]
    if tiers is not None:
        revision.tiers.all().delete()  # tiers of an editable revision are replaced, never updated
        ProductTier.objects.bulk_create(
            ProductTier(revision=revision, position=i, **tier) for i, tier in enumerate(tiers, start=1)
        )
        changed.append("tiers")
    prices = list(revision.tiers.values_list("price_fen", flat=True))
    revision.price_min_fen, revision.price_max_fen = (min(prices), max(prices)) if prices else (0, 0)
    if "comparables" in cleaned:
        revision.comparables.all().delete()
        Comparable.objects.bulk_create(
            Comparable(revision=revision, position=i, **row) for i, row in enumerate(cleaned["comparables"], start=1)
        )
        changed.append("comparables")
    for field, kind in (("qualification", Kind.QUALIFICATION), ("pricing_document", Kind.PRICING_BASIS)):
        if field in cleaned:
            document = _material(
                actor=actor, provider=provider, kind=kind, value=cleaned[field], field=field, stored=stored
            )
            setattr(revision, field, document)
            changed.append(field)
    revision.save()
    return changed


@_guarded
@transaction.atomic
def product_create(*, actor, stored, token: str = "", **content) -> Product:
    """An approved provider starts a product: revision 1 as a draft with whatever content is given (R5 is checked
    in full when it is submitted). A repeated request with the same form token finds the product already made."""
    if not actor.has_perm("catalogue.add_product"):
        raise Conflict(_("Only a registered service provider publishes products."), code="not_a_provider")
    provider = _require_approved_provider(provider_of(actor))
    token = (token or "").strip()[:40]
    if token:
        Provider.objects.select_for_update().filter(pk=provider.pk).first()  # one creation per provider at a time
        existing = Product.objects.filter(provider=provider, creation_token=token).first()
        if existing is not None:
            return existing  # a repeated click finds the work done
    content.setdefault("category", Category.OTHER)
    cleaned, errors = _clean_content(content, provider=provider)
    if not cleaned.get("name"):
        errors.setdefault("name", [_("Enter the product name.")])
    if errors:
        raise ValidationFailed(fields=errors)
    product = Product.objects.create(provider=provider, creation_token=token)
    revision = ProductRevision(
        product=product, number=1, created_by=actor, name=cleaned["name"], category=cleaned["category"]
    )
    revision.save()
    _apply(revision, cleaned, actor=actor, provider=provider, stored=stored)
    audit.record(actor, "product.created", product, after={"revision": revision.number, "name": revision.name})
    return product


@_guarded
@transaction.atomic
def product_update(*, actor, product_id: int, stored, **content) -> ProductRevision:
    """Change the product's content. A draft or returned revision is changed in place; a published (or taken-down)
    product gets a new revision copied from the approved one, and the approved one stays in the catalogue until
    the new one is approved (R5)."""
    product = _for_change(actor, product_id)
    provider = _require_approved_provider(product.provider)
    cleaned, errors = _clean_content(content, provider=provider)
    if errors:
        raise ValidationFailed(fields=errors)
    revision, created = _editable_revision(product, actor=actor)
    changed = _apply(revision, cleaned, actor=actor, provider=provider, stored=stored)
    if created:
        audit.record(actor, "product.revision_started", product, after={"revision": revision.number})
    if changed:
        audit.record(actor, "product.draft_saved", product, after={"revision": revision.number, "changed": changed})
    return revision


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


@transaction.atomic
def product_discard_changes(*, actor, product_id: int) -> None:
    """Drop the draft or returned revision of a product that has an approved revision; the approved one stays.
    A product without an approved revision keeps its draft (there is nothing to go back to)."""
    product = _for_change(actor, product_id)
    revision = working_revision(product)
    if revision is None:
        return  # a repeated click finds it gone
    if not revision.editable:
        raise Conflict(
            _("The product is waiting for review; it can be changed again once the unit has decided."),
            code="in_review",
        )
    if not product.revisions.filter(state=ProductRevision.State.APPROVED).exists():
        raise Conflict(_("There is no approved version to go back to."), code="nothing_to_go_back_to")
    number = revision.number
    for material_set in revision.material_sets.all():
        material_set.evidence.all().delete()
    revision.material_sets.all().delete()
    revision.tiers.all().delete()
    revision.comparables.all().delete()
    revision.region_rows.all().delete()
    revision.delete()
    audit.record(actor, "product.changes_discarded", product, before={"revision": number, "state": revision.state})


# --- completeness (R5) -----------------------------------------------------------------------------------------


def missing_items(revision: ProductRevision) -> list[str]:
    """Everything R5 requires that the revision lacks, one readable message per missing item."""
    problems: list[str] = []
    text_required = [
        ("name", _("Enter the product name.")),
        ("overview", _("Describe the service (overview).")),
        ("process", _("Describe the service process.")),
        ("duration", _("State the service duration.")),
        ("deliverables", _("State the deliverables (service results).")),
        ("acceptance_criteria", _("State the acceptance criteria.")),
    ]
    for field, message in text_required:
        if not getattr(revision, field):
            problems.append(message)
    region_ids = set(revision.region_rows.values_list("city_id", flat=True))
    if not region_ids:
        problems.append(_("Choose the service region (at least one city)."))
    else:
        allowed = set(service_cities(revision.product.provider).values_list("pk", flat=True))
        outside = City.objects.filter(pk__in=region_ids - allowed)
        if outside:
            problems.append(
                _("Your organisation may not serve enterprises of %(cities)s (outside its service scope).")
                % {"cities": "、".join(city.name for city in outside)}
            )
    if not revision.target_sizes:
        problems.append(_("Choose the enterprise sizes the service is for."))

    tiers = list(revision.tiers.all())
    if revision.is_range:
        if len(tiers) < 2:
            problems.append(_("A price range needs at least two tiers, each saying what its price buys."))
        for tier in tiers:
            if not tier.name or not tier.description:
                problems.append(_("Tier %(n)s: give its name and say what this price buys.") % {"n": tier.position})
    elif len(tiers) != 1:
        problems.append(_("Enter the price in yuan."))

    if bool(revision.guidance_title) != bool(revision.guidance_number):
        problems.append(_("Give both the title and the number of the guidance price document, or neither."))
    comparables = list(revision.comparables.all())
    if len(comparables) < req.MIN_COMPARABLES:
        problems.append(
            _("Enter at least %(min)s market comparables (competitor, product, price, source); %(n)s given.")
            % {"min": req.MIN_COMPARABLES, "n": len(comparables)}
        )
    for row in comparables:
        if not (row.competitor and row.product_name and row.source):
            problems.append(
                _("Comparable %(n)s: give the competitor, its product and the source of the price.")
                % {"n": row.position}
            )
    for field, message in (
        ("basis_cost", _("State the internal pricing basis: cost.")),
        ("basis_profit", _("State the internal pricing basis: profit.")),
        ("basis_tax", _("State the internal pricing basis: tax.")),
    ):
        if not getattr(revision, field):
            problems.append(message)

    required, label = req.qualification_for(revision.category)
    if required and revision.qualification_id is None:
        problems.append(_("Upload the qualification proof: %(what)s.") % {"what": label})

    sets = list(revision.material_sets.prefetch_related("evidence__document", "contract", "invoice"))
    low, high = req.sets_required(revision.is_range)
    if revision.is_range and not (low <= len(sets) <= high):
        problems.append(
            _(
                "A product with tiers or a price range needs %(low)s to %(high)s sets of historical materials "
                "(contract, invoice, deliverable evidence); %(n)s given."
            )
            % {"low": low, "high": high, "n": len(sets)}
        )
    elif not revision.is_range and len(sets) < low:
        problems.append(_("Add at least one set of historical materials (contract, invoice, deliverable evidence)."))
    items = req.evidence_for(revision.category)
    seen: dict[tuple[str, str], int] = {}
    for material_set in sets:
        present = {e.item for e in material_set.evidence.all()}
        for item, item_label in items:
            if item not in present:
                problems.append(
                    _("Set %(n)s of historical materials: %(item)s is missing.")
                    % {"n": material_set.position, "item": item_label}
                )
        # R15: one contract or invoice cannot count as two sets.
        for what, document, label_text in (
            ("contract", material_set.contract, _("the contract")),
            ("invoice", material_set.invoice, _("the invoice")),
        ):
            key = (what, document.sha256)
            if key in seen:
                problems.append(
                    _("Set %(n)s of historical materials: %(what)s is the same file as in set %(m)s.")
                    % {"n": material_set.position, "what": label_text, "m": seen[key]}
                )
            else:
                seen[key] = material_set.position
    return [str(p) for p in problems]


# --- transitions -----------------------------------------------------------------------------------------------


def _record_uses(product: Product, revision: ProductRevision) -> None:
    """Record every material as used for this product, so the same file in another product shows on review."""
    if revision.qualification_id:
        document_use(document=revision.qualification, obj=product, role="qualification")
    if revision.pricing_document_id:
        document_use(document=revision.pricing_document, obj=product, role="pricing_basis")
    for material_set in revision.material_sets.select_related("contract", "invoice").prefetch_related(
        "evidence__document"
    ):
        document_use(document=material_set.contract, obj=product, role="history_contract")
        document_use(document=material_set.invoice, obj=product, role="history_invoice")
        for evidence in material_set.evidence.all():
            document_use(document=evidence.document, obj=product, role=f"evidence_{evidence.item}"[:40])


@transaction.atomic
def product_submit(*, actor, product_id: int) -> ProductRevision:
    """R5: submit the working revision for review by the unit R4 names. Refused, naming each missing item, when
    anything R5 requires is missing. A revision already waiting for review is left as it is."""
    product = _for_change(actor, product_id)
    _require_approved_provider(product.provider)
    revision = working_revision(product)
    if revision is None or revision.state == ProductRevision.State.SUBMITTED:
        return revision or product.published_revision  # a repeated click finds the work done
    problems = missing_items(revision)
    if problems:
        raise ValidationFailed(
            _("The product cannot be submitted yet: %(n)s item(s) missing.") % {"n": len(problems)},
            code="incomplete",
            fields={"__all__": problems},
        )
    before = revision.state
    revision.state, revision.submitted_at = ProductRevision.State.SUBMITTED, clock.now()
    revision.save(update_fields=["state", "submitted_at"])
    _record_uses(product, revision)
    audit.record(
        actor,
        "product.submitted",
        product,
        before={"state": before},
        after={"state": "submitted", "revision": revision.number, "name": revision.name},
    )
    unit = reviewing_unit(product.provider)
    if unit is not None:
        notify_organisation(
            unit,
            event="product.submitted",
            title=_("Service product to review: %(name)s") % {"name": revision.name},
            body=_("From %(provider)s.") % {"provider": product.provider.name},
            url=reverse("catalogue:review", args=[product.pk]),
            obj=product,
        )
    return revision


def _for_review(actor, product_id: int) -> Product:
    """The product, locked, if the actor's unit reviews it (R4); otherwise "not found"."""
    return access.require(actor, "catalogue.review_product", _locked_product(product_id))


@transaction.atomic
def product_approve(*, actor, product_id: int) -> ProductRevision:
    """R4/R5: the reviewing unit approves the revision in review; it replaces the published one in the catalogue.
    The approved revision and its tiers are never changed afterwards."""
    product = _for_review(actor, product_id)
    revision = working_revision(product)
    if revision is None:
        latest = product.revisions.order_by("-number").first()
        if latest is not None and latest.state == ProductRevision.State.APPROVED:
            return latest  # a repeated click finds the work done
    if revision is None or revision.state != ProductRevision.State.SUBMITTED:
        raise Conflict(_("Nothing of this product is waiting for review."), code="not_in_review")
    previous = product.published_revision
    revision.state, revision.review_note = ProductRevision.State.APPROVED, ""
    revision.decided_at, revision.decided_by = clock.now(), actor
    revision.save(update_fields=["state", "review_note", "decided_at", "decided_by"])
    before_status = product.status
    product.published_revision, product.status = revision, Product.Status.PUBLISHED
    product.take_down_reason, product.taken_down_at, product.taken_down_by = "", None, None
    product.save(update_fields=["published_revision", "status", "take_down_reason", "taken_down_at", "taken_down_by"])
    audit.record(
        actor,
        "product.approved",
        product,
        before={"status": before_status, "published_revision": previous.pk if previous else None},
        after={"status": "published", "published_revision": revision.pk, "revision": revision.number},
    )
    notify_organisation(
        product.provider.organisation,
        event="product.approved",
        title=_("Your service product was approved and is in the catalogue: %(name)s") % {"name": revision.name},
        url=reverse("catalogue:product", args=[product.pk]),
        obj=product,
    )
    return revision


@transaction.atomic
def product_return(*, actor, product_id: int, reason: str) -> ProductRevision:
    """R4/R5: the reviewing unit returns the revision in review with the reasons the provider must fix. A published
    product stays in the catalogue with its approved revision."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reasons, so the provider knows what to fix.")]})
    product = _for_review(actor, product_id)
    revision = working_revision(product)
    if revision is not None and revision.state == ProductRevision.State.RETURNED and revision.review_note == reason:
        return revision  # a repeated click finds the work done
    if revision is None or revision.state != ProductRevision.State.SUBMITTED:
        raise Conflict(_("Nothing of this product is waiting for review."), code="not_in_review")
    revision.state, revision.review_note = ProductRevision.State.RETURNED, reason
    revision.decided_at, revision.decided_by = clock.now(), actor
    revision.save(update_fields=["state", "review_note", "decided_at", "decided_by"])
    audit.record(
        actor,
        "product.returned",
        product,
        before={"state": "submitted"},
        after={"state": "returned", "revision": revision.number},
        reason=reason,
    )
    notify_organisation(
        product.provider.organisation,
        event="product.returned",
        title=_("Your service product was returned for correction: %(name)s") % {"name": revision.name},
        body=reason,
        url=reverse("catalogue:mine", args=[product.pk]),
        obj=product,
    )
    return revision


@transaction.atomic
def product_take_down(*, actor, product_id: int, reason: str) -> Product:
    """R5: the reviewing unit takes a published product out of the catalogue (e.g. content unrelated to the
    scheme), with the reason shown to the provider. Orders already placed keep their revision."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason, so the provider knows why.")]})
    product = _for_review(actor, product_id)
    if product.status == Product.Status.TAKEN_DOWN:
        return product  # a repeated click finds the work done
    if product.status != Product.Status.PUBLISHED:
        raise Conflict(_("Only a published product can be taken down."), code="not_published")
    product.status, product.take_down_reason = Product.Status.TAKEN_DOWN, reason
    product.taken_down_at, product.taken_down_by = clock.now(), actor
    product.save(update_fields=["status", "take_down_reason", "taken_down_at", "taken_down_by"])
    audit.record(
        actor,
        "product.taken_down",
        product,
        before={"status": "published"},
        after={"status": "taken_down"},
        reason=reason,
    )
    notify_organisation(
        product.provider.organisation,
        event="product.taken_down",
        title=_("Your service product was taken down: %(name)s") % {"name": product.published_revision.name},
        body=reason,
        url=reverse("catalogue:mine", args=[product.pk]),
        obj=product,
    )
    return product
