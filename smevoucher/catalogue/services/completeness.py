"""What R5 and the seed require before a revision is submitted, one message per missing item."""

from django.utils.translation import gettext as _

from smevoucher.accounts.models import City
from smevoucher.providers.selectors import service_cities

from .. import requirements as req
from ..models import (
    ProductRevision,
)

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
    low, high = req.sets_required(revision.needs_several_sets)
    if revision.needs_several_sets and not (low <= len(sets) <= high):
        problems.append(
            _(
                "A product with tiers, a price range or several sub-products needs %(low)s to %(high)s sets of "
                "historical materials (contract, invoice, deliverable evidence); %(n)s given."
            )
            % {"low": low, "high": high, "n": len(sets)}
        )
    elif not revision.needs_several_sets and len(sets) < low:
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
