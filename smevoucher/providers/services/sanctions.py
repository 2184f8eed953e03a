"""Sanctions (manual 三): a unit suspends a provider for a period with a reason, and reinstates it.

While suspended (through `until` inclusive) the provider cannot confirm orders or receive vouchers and its
products leave the catalogue (`selectors.may_serve`, `may_receive_vouchers`, `receiving_vouchers_q`). The
enterprises of its open orders are told and may cancel them with their vouchers back (orders.order_cancel).
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, clock, jobs
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.notices.services import notify_organisation

from ..models import Provider, Suspension
from ..selectors import is_suspended
from .registration import _locked

# A suspension longer than this is a removal from the scheme, which is the directory's business, not a unit's.
LONGEST = timedelta(days=3 * 366)


def _for_sanction(actor, provider_id: int) -> Provider:
    """The provider, locked (the lock order confirmations take too: order, then provider), if the actor's unit
    may sanction it; otherwise "not found"."""
    return access.require(actor, "providers.sanction_provider", _locked(provider_id))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason.")]})
    return reason[:2000]


def _close_lapsed(provider: Provider) -> None:
    """An open suspension whose `until` has passed ended by itself: record its end (the next midnight)."""
    lapsed = Suspension.objects.filter(provider=provider, lifted_at__isnull=True, until__lt=clock.today()).first()
    if lapsed is not None:
        end = datetime.combine(lapsed.until + timedelta(days=1), time.min, tzinfo=clock.now().tzinfo)
        lapsed.lifted_at = end
        lapsed.save(update_fields=["lifted_at"])


@transaction.atomic
def provider_suspend(*, actor, provider_id: int, reason: str, until: date) -> Suspension:
    """Suspend an approved provider through `until` (inclusive). A second suspension while one runs is refused:
    reinstate first, then suspend again with the new period."""
    provider = _for_sanction(actor, provider_id)
    reason = _reason(reason)
    today = clock.today()
    if not isinstance(until, date) or until < today or until > today + LONGEST:
        raise ValidationFailed(fields={"until": [_("Choose a day from today to three years ahead.")]})
    if provider.status != Provider.Status.APPROVED:
        raise Conflict(_("Only an approved provider can be suspended."), code="provider_not_approved")
    if is_suspended(provider):
        raise Conflict(_("The provider is already suspended."), code="already_suspended")
    _close_lapsed(provider)
    suspension = Suspension.objects.create(
        provider=provider,
        unit=actor.organisation,
        reason=reason,
        until=until,
        suspended_by=actor,
        created_at=clock.now(),
    )
    provider.suspended_until = until
    provider.save(update_fields=["suspended_until"])
    audit.record(
        actor,
        "provider.suspended",
        provider,
        before={"suspended_until": None},
        after={"suspended_until": until.isoformat(), "suspension": suspension.pk},
        reason=reason,
    )
    notify_organisation(
        provider.organisation,
        event="provider.suspended",
        title=_("Your organisation is suspended until %(until)s") % {"until": until.isoformat()},
        body=reason,
        url=reverse("providers:home"),
        obj=provider,
    )
    # The enterprises of its open orders are told (and may cancel): the orders app owns those rows.
    jobs.queue_after_commit("smevoucher.orders.tasks.tell_provider_suspended", provider.pk)
    return suspension


@transaction.atomic
def provider_reinstate(*, actor, provider_id: int, reason: str = "") -> Provider:
    """End the running suspension early. Quiet when none runs (a double click, or it has already ended)."""
    provider = _for_sanction(actor, provider_id)
    if not is_suspended(provider):
        return provider
    suspension = Suspension.objects.select_for_update().get(provider=provider, lifted_at__isnull=True)
    suspension.lifted_at, suspension.lifted_by = clock.now(), actor
    suspension.lift_reason = (reason or "").strip()[:2000]
    suspension.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    before = provider.suspended_until.isoformat()
    provider.suspended_until = None
    provider.save(update_fields=["suspended_until"])
    audit.record(
        actor,
        "provider.reinstated",
        provider,
        before={"suspended_until": before},
        after={"suspended_until": None, "suspension": suspension.pk},
        reason=suspension.lift_reason,
    )
    notify_organisation(
        provider.organisation,
        event="provider.reinstated",
        title=_("Your organisation is reinstated"),
        body=suspension.lift_reason,
        url=reverse("providers:home"),
        obj=provider,
    )
    return provider
