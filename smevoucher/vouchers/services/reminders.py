"""Reminders before each voucher deadline (R14): 7 and 1 days before (settings.VOUCHER_REMINDER_DAYS), in the
system and by e-mail. Each (claim, deadline, days) is recorded once, so running the job again sends nothing."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smevoucher.core import clock
from smevoucher.core.money import format_yuan

from ..models import Batch, Claim, LedgerAccount, ReminderSent
from .batches import notify_claim

ORDER, EXPIRY = "order", "expiry"


def _due_days(deadline, now, days_list) -> int | None:
    """The smallest configured day count whose reminder day (local calendar) has come, if the deadline is ahead."""
    if deadline is None or now > deadline:
        return None
    left = (timezone.localtime(deadline).date() - now.date()).days
    due = [d for d in days_list if left <= d]
    return min(due) if due else None


def send_reminders() -> int:
    """Remind every enterprise that holds vouchers of a deadline ahead; returns how many reminders were sent."""
    now = clock.now()
    days_list = sorted(settings.VOUCHER_REMINDER_DAYS)
    if not days_list:
        return 0
    horizon = now + timedelta(days=max(days_list) + 1)

    def held(kind):
        accounts = LedgerAccount.objects.filter(
            kind=kind, batch_id=OuterRef("batch_id"), enterprise_id=OuterRef("enterprise_id")
        )
        return Coalesce(Subquery(accounts.values("enterprise_id").annotate(s=Sum("balance_fen")).values("s")[:1]), 0)

    claims = (
        Claim.objects.filter(batch__status__in=[Batch.Status.ALLOCATED, Batch.Status.CLOSED], allocated_fen__gt=0)
        .filter(batch__validity_end__gte=now.date())
        .annotate(wallet_fen=held("wallet"), escrow_fen=held("escrow"))
        .filter(Q(wallet_fen__gt=0) | Q(escrow_fen__gt=0))
        .select_related("batch", "enterprise__organisation")
    )
    sent = 0
    for claim in claims.iterator(chunk_size=500):
        batch, wallet_fen, escrow_fen = claim.batch, claim.wallet_fen, claim.escrow_fen
        checks = []
        if wallet_fen and claim.order_deadline and claim.order_deadline < horizon:
            checks.append((ORDER, claim.order_deadline, wallet_fen))
        if (wallet_fen or escrow_fen) and batch.expires_at < horizon:
            checks.append((EXPIRY, batch.expires_at, wallet_fen + escrow_fen))
        for kind, deadline, fen in checks:
            days = _due_days(deadline, now, days_list)
            if days is not None and _send(claim, kind, deadline, days, fen, now, days_list):
                sent += 1
    return sent


@transaction.atomic
def _send(claim: Claim, kind: str, deadline, days: int, fen: int, now, days_list) -> bool:
    # The longer reminders that were skipped (the job did not run that day) are recorded as done too.
    try:
        with transaction.atomic():
            ReminderSent.objects.create(claim=claim, deadline=kind, days_before=days, sent_at=now)
    except IntegrityError:
        return False
    ReminderSent.objects.bulk_create(
        [ReminderSent(claim=claim, deadline=kind, days_before=d, sent_at=now) for d in days_list if d > days],
        ignore_conflicts=True,
    )
    values = {
        "name": claim.batch.name,
        "amount": format_yuan(fen),
        "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
    }
    if kind == ORDER:
        title = _("Reminder: use your vouchers in an order by %(deadline)s") % values
        body = _("%(name)s: %(amount)s not yet used in an order will be reclaimed after %(deadline)s.") % values
    else:
        title = _("Reminder: your vouchers expire at %(deadline)s") % values
        body = (
            _("%(name)s: %(amount)s not paid by %(deadline)s will be reclaimed and still count against the quota.")
            % values
        )
    notify_claim(claim, event=f"voucher.reminder_{kind}", title=title, body=body, url=reverse("vouchers:wallet"))
    return True
