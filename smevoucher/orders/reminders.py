"""R14 for the R9 contract deadline: the enterprise and the provider are reminded 7 and 1 days before
(settings.VOUCHER_REMINDER_DAYS) of an order whose contract is still missing. The voucher expiry (R10) reminders
come from the vouchers app. Each (order, days) is recorded once, so running the job again sends nothing."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smevoucher.core import clock
from smevoucher.notices.services import notify_organisation

from .models import Order, OrderReminder


def order_send_reminders() -> int:
    now = clock.now()
    days_list = sorted(settings.VOUCHER_REMINDER_DAYS)
    if not days_list:
        return 0
    due = Order.objects.filter(
        status__in=Order.WITHOUT_CONTRACT,
        contract_due__gte=now,
        contract_due__lt=now + timedelta(days=max(days_list) + 1),
    ).select_related("enterprise__organisation", "provider__organisation")
    sent = 0
    for order in due.iterator(chunk_size=500):
        left = (timezone.localtime(order.contract_due).date() - now.date()).days
        days = min((d for d in days_list if left <= d), default=None)
        if days is not None and _send(order, days, now, days_list):
            sent += 1
    return sent


@transaction.atomic
def _send(order: Order, days: int, now, days_list) -> bool:
    try:
        with transaction.atomic():
            OrderReminder.objects.create(order=order, days_before=days, sent_at=now)
    except IntegrityError:
        return False
    # the longer reminders that were skipped (the job did not run that day) count as done
    OrderReminder.objects.bulk_create(
        [OrderReminder(order=order, days_before=d, sent_at=now) for d in days_list if d > days], ignore_conflicts=True
    )
    values = {"number": order.number, "deadline": timezone.localtime(order.contract_due).strftime("%Y-%m-%d %H:%M")}
    title = _("Reminder: upload the contract of order %(number)s by %(deadline)s") % values
    body = _("Without a contract by %(deadline)s the order is cancelled and its vouchers are reclaimed.") % values
    url = reverse("orders:detail", args=[order.pk])
    for organisation in (order.enterprise.organisation, order.provider.organisation):
        notify_organisation(organisation, event="order.reminder_contract", title=title, body=body, url=url, obj=order)
    return True
