"""Raising risk flags from the signals and deciding them (issue 17).

`scan()` runs every registered signal over a scope (all, or what one event touched) and stores its findings by
fingerprint: a new case becomes an open flag; an open flag's evidence is brought up to date; a decided flag
stays as it was decided (a rerun never reopens or duplicates it). Storing is a few set-wise queries per signal.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.core import audit, clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.notices.services import notify_organisation
from smevoucher.orders.models import Order

from .models import RiskFlag
from .signals import Finding, Scope, load

log = logging.getLogger(__name__)
S = RiskFlag.Status


def _store(findings: list[Finding]) -> int:
    """Upsert findings by fingerprint; returns how many new flags were raised."""
    if not findings:
        return 0
    by_fingerprint = {f.fingerprint: f for f in findings}
    existing = {
        flag.fingerprint: flag
        for flag in RiskFlag.objects.filter(fingerprint__in=list(by_fingerprint)).only("id", "fingerprint", "status")
    }
    now = clock.now()
    new, changed = [], []
    for fingerprint, finding in by_fingerprint.items():
        flag = existing.get(fingerprint)
        if flag is None:
            flag = RiskFlag(fingerprint=fingerprint, kind=finding.kind, found_at=now)
            new.append(flag)
        elif flag.status != S.OPEN:
            continue
        else:
            changed.append(flag)
        flag.city_id, flag.order_id = finding.city_id, finding.order_id
        flag.provider_id, flag.enterprise_id = finding.provider_id, finding.enterprise_id
        flag.evidence, flag.updated_at = finding.evidence, now
        flag.explanation, flag.explanation_en = finding.explain("zh-hans"), finding.explain("en")
    RiskFlag.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if new:  # ignore_conflicts gives no ids back: read them (a parallel run may have raised some first)
        ids = dict(
            RiskFlag.objects.filter(fingerprint__in=[f.fingerprint for f in new]).values_list("fingerprint", "id")
        )
        for flag in new:
            flag.pk = ids.get(flag.fingerprint)
    fields = ["city", "order", "provider", "enterprise", "evidence", "updated_at", "explanation", "explanation_en"]
    RiskFlag.objects.bulk_update(changed, fields, batch_size=1000)
    through = RiskFlag.orders.through
    through.objects.bulk_create(
        [
            through(riskflag_id=flag.pk, order_id=order_id)
            for flag in new + changed
            if flag.pk
            for order_id in by_fingerprint[flag.fingerprint].order_ids
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    return len(new)


def scan(*, scope: Scope | None = None, kinds=None) -> dict[str, dict]:
    """Run the signals (all registered, or `kinds`) over the scope; per kind: findings, new flags, seconds."""
    report = {}
    for kind, signal in load().items():
        if kinds and kind not in kinds:
            continue
        started = time.monotonic()
        with transaction.atomic():
            findings = list(signal.detect(scope))
            new = _store(findings)
        report[kind] = {"found": len(findings), "new": new, "seconds": round(time.monotonic() - started, 3)}
    return report


def scan_order(*, order_id: int) -> dict:
    """The incremental run after an event on an order: its enterprise's and its provider's orders."""
    order = Order.objects.filter(pk=order_id).values("enterprise_id", "provider_id").first()
    if order is None or not settings.INTEGRITY_SCAN_ON_EVENT:
        return {}
    return scan(scope=Scope(frozenset({order["enterprise_id"]}), frozenset({order["provider_id"]})))


def _decide(*, actor, flag_id: int, reason: str, to: str, action: str) -> tuple[RiskFlag, bool]:
    """The decision, and whether it was made now (False for a repeated click)."""
    flag = RiskFlag.objects.select_for_update().filter(pk=flag_id).first()
    if flag is None or not actor.has_perm("integrity.view_flag", flag):
        raise Http404
    if not actor.has_perm("integrity.decide_flag", flag):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason for the decision.")]})
    if flag.status == to and flag.decision_reason == reason[:2000]:
        return flag, False  # a repeated click
    if flag.status != S.OPEN:
        raise Conflict(_("This flag has already been decided."), code="flag_decided")
    flag.status, flag.decided_by, flag.decided_at, flag.decision_reason = to, actor, clock.now(), reason[:2000]
    flag.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit.record(actor, action, flag, before={"status": S.OPEN}, after={"status": to, "kind": flag.kind}, reason=reason)
    return flag, True


@transaction.atomic
def flag_clear(*, actor, flag_id: int, reason: str) -> RiskFlag:
    """The city unit found the case innocent: the flag is closed and no longer holds up redemption."""
    flag, _now = _decide(actor=actor, flag_id=flag_id, reason=reason, to=S.CLEARED, action="integrity.flag_cleared")
    return flag


@transaction.atomic
def flag_confirm(*, actor, flag_id: int, reason: str) -> RiskFlag:
    """The city unit found the case a breach (R18). It counts: the flag enters the provider's violations record,
    its orders' payments are no longer redeemed (the redemption rules refuse them), and the parties it names are
    told, with the reason. A suspension, if the unit wants one, follows by its own service."""
    flag, now = _decide(actor=actor, flag_id=flag_id, reason=reason, to=S.CONFIRMED, action="integrity.flag_confirmed")
    if not now:
        return flag
    title = _("Risk case %(number)s was confirmed as a breach of honest conduct") % {"number": flag.number}
    body = _("%(kind)s. Reason given by the unit: %(reason)s") % {
        "kind": flag.kind_label,
        "reason": flag.decision_reason,
    }
    if flag.provider_id:
        organisation = flag.provider.organisation
        notify_organisation(
            organisation,
            event="integrity.flag_confirmed",
            title=title,
            body=body,
            url=reverse("providers:home"),
            obj=flag,
        )
    if flag.enterprise_id:
        organisation = flag.enterprise.organisation
        notify_organisation(
            organisation,
            event="integrity.flag_confirmed",
            title=title,
            body=body,
            url=reverse("enterprises:home"),
            obj=flag,
        )
    return flag
