"""Writing a product's content (R5): drafts, new revisions of published products, material sets."""

from django.db import transaction
from django.utils.translation import gettext as _

from smevoucher.accounts.models import City
from smevoucher.core import audit
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.documents.models import Kind
from smevoucher.enterprises.models import Industry, Size
from smevoucher.providers.models import Provider
from smevoucher.providers.selectors import provider_of, service_cities

from .. import requirements as req
from ..models import (
    Category,
    Comparable,
    Evidence,
    MaterialSet,
    Product,
    ProductRevision,
    ProductTier,
    RevisionRegion,
)
from ..selectors import working_revision
from ._common import (
    CONTENT_KEYS,
    TEXT_FIELDS,
    _for_change,
    _guarded,
    _material,
    _require_approved_provider,
)

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
    if "sub_products" in values:
        if not isinstance(values["sub_products"], bool):
            errors["sub_products"] = [_("Say whether the product bundles several sub-products.")]
        cleaned["sub_products"] = values["sub_products"] is True
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
    for field in [*TEXT_FIELDS, "category", "target_sizes", "target_industries", "pricing", "sub_products"]:
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
