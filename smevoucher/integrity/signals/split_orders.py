"""split_orders: one enterprise orders the same product from the same provider several times within a short
window, and the vouchers of those orders together pass what one contract for the whole service may use.

R11 limits the vouchers on one contract to the batch's share of its price; a service cut into several small
contracts, each within its own limit, lets more vouchers through in total than the real, single contract would
(or keeps each order under the provider's remaining cap). Honest repeat purchases of one product within
INTEGRITY_SPLIT_WINDOW_DAYS are rare; we flag a run of at least INTEGRITY_SPLIT_MIN_ORDERS orders, each placed
within the window of the previous one, whose voucher sum is above the coverage limit of the largest single
price in the run.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from smevoucher.core.money import format_yuan

from . import Finding, rule
from ._rows import enterprise_link, live_orders, order_link, provider_link


def _runs(orders, window):
    run = []
    for order in orders:
        if run and order[1] - run[-1][1] > window:
            yield run
            run = []
        run.append(order)
    if run:
        yield run


@rule("split_orders", _("Split orders"))
def detect(scope):
    groups = defaultdict(list)
    for row in live_orders(scope).values_list(
        "id",
        "placed_at",
        "enterprise_id",
        "provider_id",
        "product_id",
        "price_fen",
        "expected_voucher_fen",
        "batch__coverage_limit_bp",
        "enterprise__city_id",
    ):
        groups[(row[2], row[3], row[4])].append(row)
    window = timedelta(days=settings.INTEGRITY_SPLIT_WINDOW_DAYS)
    least = settings.INTEGRITY_SPLIT_MIN_ORDERS
    for (enterprise_id, provider_id, product_id), orders in groups.items():
        if len(orders) < least:
            continue
        orders.sort(key=lambda row: (row[1], row[0]))
        for run in _runs(orders, window):
            if len(run) < least:
                continue
            total = sum(row[6] for row in run)
            limit = max(row[5] for row in run) * max(row[7] for row in run) // 10000
            if total <= limit:
                continue
            order_ids = [row[0] for row in run]
            yield Finding(
                kind="split_orders",
                subject=f"{enterprise_id}-{provider_id}-{product_id}-{order_ids[0]}",
                city_id=run[0][8],
                message=_(
                    "%(count)s orders of the same product within %(days)s days use %(total)s of vouchers together, "
                    "more than one contract may use (%(limit)s)."
                ),
                params={
                    "count": len(run),
                    "days": (run[-1][1] - run[0][1]).days + 1,
                    "total": format_yuan(total),
                    "limit": format_yuan(limit),
                },
                evidence={
                    "sides": ["order", "amount"],
                    "rows": [["order_vouchers", f"D{row[0]:08d}", format_yuan(row[6])] for row in run],
                    "links": [enterprise_link(enterprise_id), provider_link(provider_id)]
                    + [order_link(i) for i in order_ids],
                },
                order_ids=tuple(order_ids),
                order_id=order_ids[-1],
                provider_id=provider_id,
                enterprise_id=enterprise_id,
            )
