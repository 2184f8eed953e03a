"""Review of a registration by the unit R4 names: approve or return with reasons."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.notices.services import notify_organisation

from ..models import Provider

# The reviewer's checklist for the commitment letter (R3). The system checks the date's year itself as well.
from .registration import CHECKLIST, CHECKLIST_KEYS, _locked, commitment_date_errors


def _for_review(actor, provider_id: int) -> Provider:
    """The registration, locked, if the actor's unit decides on it (R4); otherwise "not found"."""
    return access.require(actor, "providers.review_provider", _locked(provider_id))


@transaction.atomic
def provider_approve(*, actor, provider_id: int, checklist: dict) -> Provider:
    """R4: the reviewing unit approves a submitted registration after ticking the commitment letter's
    checklist (R3); the system checks the letter's year once more."""
    provider = _for_review(actor, provider_id)
    if provider.status == Provider.Status.APPROVED:
        return provider  # a repeated click finds the work done
    if provider.status != Provider.Status.SUBMITTED:
        raise Conflict(_("The registration was returned; wait until the provider submits it again."))
    ticked = {key: bool((checklist or {}).get(key)) for key in CHECKLIST_KEYS}
    if not all(ticked.values()):
        missing = [str(label) for key, label in CHECKLIST if not ticked[key]]
        raise ValidationFailed(
            _("Tick every item of the checklist before approving, or return the registration with reasons."),
            fields={"checklist": missing},
        )
    if problems := commitment_date_errors(provider.commitment_date):
        raise ValidationFailed(problems[0], fields={"checklist": problems})
    provider.status, provider.review_note, provider.checklist = Provider.Status.APPROVED, "", ticked
    provider.decided_at = clock.now()
    provider.save(update_fields=["status", "review_note", "checklist", "decided_at"])
    audit.record(
        actor, "provider.approved", provider, before={"status": "submitted"}, after={"status": "approved", **ticked}
    )
    notify_organisation(
        provider.organisation,
        event="provider.approved",
        title=_("Your provider registration has been approved"),
        body=_("%(name)s may now publish service products.") % {"name": provider.name},
        url=reverse("providers:home"),
        obj=provider,
    )
    return provider


@transaction.atomic
def provider_return(*, actor, provider_id: int, reason: str, checklist: dict | None = None) -> Provider:
    """R4: the reviewing unit returns a submitted registration with the reasons the provider must fix."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reasons, so the provider knows what to fix.")]})
    provider = _for_review(actor, provider_id)
    if provider.status == Provider.Status.RETURNED and provider.review_note == reason:
        return provider  # a repeated click finds the work done
    if provider.status != Provider.Status.SUBMITTED:
        raise Conflict(_("Only a registration waiting for review can be returned."))
    ticked = {key: bool((checklist or {}).get(key)) for key in CHECKLIST_KEYS}
    provider.status, provider.review_note, provider.checklist = Provider.Status.RETURNED, reason, ticked
    provider.decided_at = clock.now()
    provider.save(update_fields=["status", "review_note", "checklist", "decided_at"])
    audit.record(
        actor,
        "provider.returned",
        provider,
        before={"status": "submitted"},
        after={"status": "returned", **ticked},
        reason=reason,
    )
    notify_organisation(
        provider.organisation,
        event="provider.returned",
        title=_("Your provider registration was returned for correction"),
        body=reason,
        url=reverse("providers:home"),
        obj=provider,
    )
    return provider


# --- Change requests (R4) -------------------------------------------------------------------------------------
