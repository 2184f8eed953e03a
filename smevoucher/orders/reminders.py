"""R14 for orders, 7 and 1 days before (settings.VOUCHER_REMINDER_DAYS): the R9 contract deadline of an order whose
contract is still missing (to the enterprise and the provider), and the R10 expiry of the vouchers of an order the
provider confirmed and has not been paid for (to the provider; the enterprise hears it from the vouchers app).
Each (order, deadline, days) is recorded once, so running the job again sends nothing."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smevoucher.core import clock
from smevoucher.core.money import format_yuan
from smevoucher.notices.services import notify_organisation

from .models import Order, OrderReminder

S = Order.Status
# Confirmed by the provider and not paid: R10 reclaims these vouchers at expiry unless a payment is under check.
CONFIRMED_UNPAID = (*(s for s in Order.UNPAID if s != S.PLACED), S.PAYMENT_REJECTED)


def _due_days(deadline, now, days_list) -> int | None:
    """The smallest configured day count whose reminder day (local calendar) has come, if the deadline is ahead."""
    if now > deadline:
        return None
    left = (timezone.localtime(deadline).date() - now.date()).days
    return min((d for d in days_list if left <= d), default=None)


def order_send_reminders() -> int:
    """Send the contract-deadline and voucher-expiry reminders that are due; returns how many were sent."""
    now = clock.now()
    days_list = sorted(settings.VOUCHER_REMINDER_DAYS)
    if not days_list:
        return 0
    horizon = now + timedelta(days=max(days_list) + 1)
    sent = 0
    contract_due = Order.objects.filter(
        status__in=Order.WITHOUT_CONTRACT, contract_due__gte=now, contract_due__lt=horizon
    ).select_related("enterprise__organisation", "provider__organisation")
    for order in contract_due.iterator(chunk_size=500):
        days = _due_days(order.contract_due, now, days_list)
        if days is not None and _send(order, OrderReminder.Deadline.CONTRACT, days, now, days_list):
            sent += 1
    expiring = Order.objects.filter(
        status__in=CONFIRMED_UNPAID,
        batch__validity_end__gte=timezone.localtime(now).date(),
        batch__validity_end__lt=timezone.localtime(horizon).date(),
    ).select_related("batch", "provider__organisation")
    for order in expiring.iterator(chunk_size=500):
        days = _due_days(order.batch.expires_at, now, days_list)
        if days is not None and _send(order, OrderReminder.Deadline.EXPIRY, days, now, days_list):
            sent += 1
    return sent


@transaction.atomic
def _send(order: Order, deadline: str, days: int, now, days_list) -> bool:
    try:
        with transaction.atomic():
            OrderReminder.objects.create(order=order, deadline=deadline, days_before=days, sent_at=now)
    except IntegrityError:
        return False
    # the longer reminders that were skipped (the job did not run that day) count as done
    OrderReminder.objects.bulk_create(
        [OrderReminder(order=order, deadline=deadline, days_before=d, sent_at=now) for d in days_list if d > days],
        ignore_conflicts=True,
    )
    url = reverse("orders:detail", args=[order.pk])
    if deadline == OrderReminder.Deadline.EXPIRY:
        values = {
            "number": order.number,
            "amount": format_yuan(order.expected_voucher_fen),
            "deadline": timezone.localtime(order.batch.expires_at).strftime("%Y-%m-%d %H:%M"),
        }
        title = _("Reminder: the vouchers of order %(number)s expire at %(deadline)s") % values
        body = (
            _(
                "Unless the enterprise's payment of %(amount)s in vouchers is submitted by %(deadline)s, the vouchers "
                "are reclaimed and you cannot receive them."
            )
            % values
        )
        notify_organisation(
            order.provider.organisation, event="order.reminder_expiry", title=title, body=body, url=url, obj=order
        )
        return True
    values = {"number": order.number, "deadline": timezone.localtime(order.contract_due).strftime("%Y-%m-%d %H:%M")}
    title = _("Reminder: upload the contract of order %(number)s by %(deadline)s") % values
    body = _("Without a contract by %(deadline)s the order is cancelled and its vouchers are reclaimed.") % values
    for organisation in (order.enterprise.organisation, order.provider.organisation):
        notify_organisation(organisation, event="order.reminder_contract", title=title, body=body, url=url, obj=order)
    return True
