"""R3 each year: the commitment letter is renewed. From 1 January an approved provider uploads a letter dated in
that year (the same checks as at registration), reviewed by the unit that reviews the provider (R4); until then it
cannot confirm orders or payments (`providers.selectors.letter_is_current`). Reminders start on 1 December."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.documents.models import Kind
from smevoucher.documents.services import document_use
from smevoucher.notices.services import notify_organisation

from ..models import LetterReminder, LetterRenewal, Provider
from ..selectors import letter_is_current
from .registration import CHECKLIST, CHECKLIST_KEYS, _locked, _notify_reviewers, _StoredFiles, commitment_date_errors

REMIND_FROM_MONTH = 12  # reminders for the coming year start on 1 December


def letter_renewal_submit(*, actor, provider_id: int, commitment_date, letter_files) -> LetterRenewal:
    """An approved provider uploads its commitment letter dated in the current year (R3); the reviewing unit is
    told. Nothing is stored when the date or the file is refused."""
    stored = _StoredFiles()
    try:
        return _letter_renewal_submit(
            actor=actor, provider_id=provider_id, commitment_date=commitment_date, files=letter_files, stored=stored
        )
    except BaseException:
        stored.discard()
        raise


@transaction.atomic
def _letter_renewal_submit(*, actor, provider_id, commitment_date, files, stored) -> LetterRenewal:
    provider = access.require(actor, "providers.change_provider", _locked(provider_id))
    if provider.status != Provider.Status.APPROVED:
        raise Conflict(_("Only an approved provider renews its commitment letter."), code="provider_not_approved")
    today = clock.today()
    pending = provider.letter_renewals.filter(status=LetterRenewal.Status.SUBMITTED).first()
    if pending is not None and pending.commitment_date == commitment_date:
        return pending  # a double click
    errors = {}
    if problems := commitment_date_errors(commitment_date):
        errors["commitment_date"] = problems
    if not files:
        errors["letter"] = [_("Upload the signed commitment letter.")]
    if pending is not None:
        errors["__all__"] = [_("A commitment letter is already waiting for the unit's review.")]
    elif provider.commitment_date.year >= today.year:
        errors["__all__"] = [_("Your commitment letter is already dated this year.")]
    if errors:
        raise ValidationFailed(fields=errors)
    letter = stored.upload("letter", actor=actor, kind=Kind.COMMITMENT_LETTER, files=files)
    try:
        with transaction.atomic():
            renewal = LetterRenewal.objects.create(
                provider=provider,
                year=today.year,
                commitment_date=commitment_date,
                letter=letter,
                submitted_by=actor,
                submitted_at=clock.now(),
            )
    except IntegrityError as exc:  # a concurrent upload won
        raise ValidationFailed(
            fields={"__all__": [_("A commitment letter is already waiting for the unit's review.")]}
        ) from exc
    document_use(document=letter, obj=renewal, role="commitment_letter")
    audit.record(
        actor,
        "provider.letter_submitted",
        provider,
        after={"renewal": renewal.pk, "commitment_date": commitment_date.isoformat()},
    )
    _notify_reviewers(
        provider,
        event="provider.letter_submitted",
        title=_("New commitment letter from %(name)s") % {"name": provider.name},
        url=reverse("providers:detail", args=[provider.pk]),
    )
    return renewal


def _for_review(actor, renewal_id: int) -> LetterRenewal:
    renewal = LetterRenewal.objects.select_for_update().filter(pk=renewal_id).first()
    provider = _locked(renewal.provider_id) if renewal else None
    access.require(actor, "providers.review_provider", provider)
    renewal.provider = provider
    return renewal


@transaction.atomic
def letter_renewal_approve(*, actor, renewal_id: int, checklist: dict) -> LetterRenewal:
    """The reviewing unit approves the renewed letter after ticking the same checklist as at registration (R3);
    it becomes the provider's commitment letter."""
    renewal = _for_review(actor, renewal_id)
    if renewal.status == LetterRenewal.Status.APPROVED:
        return renewal
    if renewal.status != LetterRenewal.Status.SUBMITTED:
        raise Conflict(_("This commitment letter was returned; wait for a new one."), code="letter_returned")
    ticked = {key: bool((checklist or {}).get(key)) for key in CHECKLIST_KEYS}
    if not all(ticked.values()):
        raise ValidationFailed(
            _("Tick every item of the checklist before approving, or return the letter with reasons."),
            fields={"checklist": [str(label) for key, label in CHECKLIST if not ticked[key]]},
        )
    if renewal.year != clock.today().year:
        raise Conflict(_("This letter is dated in an earlier year; return it."), code="letter_outdated")
    provider = renewal.provider
    before = {"commitment_date": provider.commitment_date.isoformat(), "letter": provider.commitment_letter_id}
    provider.commitment_date, provider.commitment_letter_id = renewal.commitment_date, renewal.letter_id
    provider.save(update_fields=["commitment_date", "commitment_letter"])
    renewal.status, renewal.checklist, renewal.review_note = LetterRenewal.Status.APPROVED, ticked, ""
    renewal.decided_by, renewal.decided_at = actor, clock.now()
    renewal.save(update_fields=["status", "checklist", "review_note", "decided_by", "decided_at"])
    audit.record(
        actor,
        "provider.letter_approved",
        provider,
        before=before,
        after={"renewal": renewal.pk, "commitment_date": renewal.commitment_date.isoformat(), **ticked},
    )
    notify_organisation(
        provider.organisation,
        event="provider.letter_approved",
        title=_("Your commitment letter for %(year)s was approved") % {"year": renewal.year},
        url=reverse("providers:letter"),
        obj=provider,
    )
    return renewal


@transaction.atomic
def letter_renewal_return(*, actor, renewal_id: int, reason: str) -> LetterRenewal:
    """The reviewing unit returns the renewed letter with reasons; the provider uploads a new one (and cannot
    confirm orders or payments meanwhile)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reasons, so the provider knows what to fix.")]})
    renewal = _for_review(actor, renewal_id)
    if renewal.status == LetterRenewal.Status.RETURNED and renewal.review_note == reason:
        return renewal
    if renewal.status != LetterRenewal.Status.SUBMITTED:
        raise Conflict(_("Only a letter waiting for review can be returned."), code="letter_not_pending")
    renewal.status, renewal.review_note = LetterRenewal.Status.RETURNED, reason
    renewal.decided_by, renewal.decided_at = actor, clock.now()
    renewal.save(update_fields=["status", "review_note", "decided_by", "decided_at"])
    audit.record(actor, "provider.letter_returned", renewal.provider, after={"renewal": renewal.pk}, reason=reason)
    notify_organisation(
        renewal.provider.organisation,
        event="provider.letter_returned",
        title=_("Your commitment letter was returned: upload a new one"),
        body=reason,
        url=reverse("providers:letter"),
        obj=renewal.provider,
    )
    return renewal


def letter_send_reminders() -> int:
    """From 1 December: tell each approved provider that a letter dated in the coming year is needed from
    1 January; from 1 January: tell each provider still without one that it cannot confirm orders or payments
    until it uploads it. Each (provider, year, stage) once, so running the job again sends nothing."""
    today = clock.today()
    sent = 0
    approved = Provider.objects.filter(status=Provider.Status.APPROVED).select_related("organisation")
    if today.month >= REMIND_FROM_MONTH:
        for provider in approved.filter(commitment_date__year__lte=today.year).iterator(chunk_size=500):
            sent += _remind(provider, today.year + 1, LetterReminder.Stage.AHEAD)
    for provider in approved.filter(commitment_date__year__lt=today.year).iterator(chunk_size=500):
        if not letter_is_current(provider, today):
            sent += _remind(provider, today.year, LetterReminder.Stage.DUE)
    return sent


@transaction.atomic
def _remind(provider: Provider, year: int, stage: str) -> int:
    _row, created = LetterReminder.objects.get_or_create(
        provider=provider, year=year, stage=stage, defaults={"sent_at": clock.now()}
    )
    if not created:
        return 0
    if stage == LetterReminder.Stage.AHEAD:
        title = _("From 1 January %(year)s upload a commitment letter dated %(year)s") % {"year": year}
        body = _(
            "The commitment letter must be dated in the current year. Until a letter dated %(year)s is uploaded, "
            "you cannot confirm orders or payments from 1 January."
        ) % {"year": year}
    else:
        title = _("Upload your commitment letter for %(year)s") % {"year": year}
        body = _("You cannot confirm orders or payments until a commitment letter dated %(year)s is uploaded.") % {
            "year": year
        }
    notify_organisation(
        provider.organisation,
        event="provider.letter_reminder",
        title=title,
        body=body,
        url=reverse("providers:letter"),
        obj=provider,
    )
    return 1
