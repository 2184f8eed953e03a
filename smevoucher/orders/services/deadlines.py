"""Order deadlines (R9, R10): reclaim one order's vouchers, and the sweep over every order past its deadline."""

from django.db import transaction
from django.utils.translation import gettext as _

from smevoucher.core import clock
from smevoucher.vouchers import services as vouchers

from ..models import Order
from ._common import S, _end, _tell_enterprise, _tell_provider


@transaction.atomic
def order_reclaim(*, order_id: int) -> Order | None:
    """R9: an order still without an accepted contract after its deadline is cancelled and its escrow reclaimed;
    R10: an unpaid order past the validity end likewise. Returns None when the order has moved on (safe twice)."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("batch", "enterprise__organisation", "provider__organisation")
        .get(pk=order_id)
    )
    now = clock.now()
    expired = now > order.batch.expires_at
    if order.status in Order.WITHOUT_CONTRACT and now > order.contract_due:
        # Past the validity end R10 decides, also when the contract deadline fell on the same day (contract_due is
        # never after the validity end, and both end at 23:59:59 of their day): the vouchers are reclaimed for good
        # and keep counting against the annual quota; R9 alone returns them to the pool and gives the quota back.
        rule = vouchers.R10 if expired else vouchers.R9
    elif expired and (order.status in Order.UNPAID or order.status == S.PAYMENT_REJECTED):
        rule = vouchers.R10
    else:
        return None
    _end(order, S.RECLAIMED, None, f"order.reclaimed_{rule}", rule=rule)
    body = _("The vouchers of order %(number)s were reclaimed.") % {"number": order.number}
    _tell_enterprise(order, "order.reclaimed", body)
    _tell_provider(order, "order.reclaimed", body)
    return order


def order_deadline_sweep(*, limit: int | None = None) -> int:
    """Apply R9/R10 to every order past its deadline; each order in its own transaction. Safe to run twice.
    vouchers' reclaim_sweep runs it first (registered in OrdersConfig.ready), so one sweep applies every deadline."""
    now = clock.now()
    due = Order.objects.filter(status__in=Order.WITHOUT_CONTRACT, contract_due__lt=now) | Order.objects.filter(
        status__in=[*Order.UNPAID, S.PAYMENT_REJECTED], batch__validity_end__lt=now.date()
    )
    done = 0
    for order_id in due.values_list("pk", flat=True).order_by("pk")[:limit]:
        if order_reclaim(order_id=order_id) is not None:
            done += 1
    return done
