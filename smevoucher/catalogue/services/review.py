"""Submission, review by the unit R4 names (approve, return) and take-down; audited and notified."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.documents.services import document_use
from smevoucher.notices.services import notify_organisation
from smevoucher.providers.selectors import reviewing_unit

from ..models import (
    Product,
    ProductRevision,
)
from ..selectors import working_revision
from ._common import (
    _for_change,
    _locked_product,
    _require_approved_provider,
)
from .completeness import missing_items

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
