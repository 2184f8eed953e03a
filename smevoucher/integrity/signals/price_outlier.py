"""price_outlier: an ordered tier is priced far above the product's own comparables or its category's median.

Cashing vouchers without real service (消费券套现) needs a price high enough to carry the vouchers and the
kick-back. The provider itself names at least two comparable market products (R5): a price more than
INTEGRITY_PRICE_COMPARABLE_RATIO_BP / 10000 times their median is out of line with its own evidence. Against
the whole category (every approved tier of the category, over all providers), honest prices spread about one
order of magnitude, so only more than INTEGRITY_PRICE_CATEGORY_RATIO_BP / 10000 times the median is flagged.
One flag per tier, covering every order placed on it.
"""

from collections import defaultdict
from statistics import median

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from smevoucher.catalogue.models import Comparable, ProductRevision, ProductTier
from smevoucher.core.money import format_yuan

from . import Finding, rule
from ._rows import live_orders, order_link, provider_link


@rule("price_outlier", _("Price outlier"))
def detect(scope):
    by_tier = defaultdict(list)
    tiers = {}
    for order_id, tier_id, revision_id, category, price, provider_id, city_id in live_orders(scope).values_list(
        "id", "tier_id", "revision_id", "revision__category", "price_fen", "provider_id", "enterprise__city_id"
    ):
        by_tier[tier_id].append(order_id)
        tiers.setdefault(tier_id, (revision_id, category, price, provider_id, city_id))
    if not tiers:
        return
    category_prices = defaultdict(list)
    categories = {category for _r, category, *_rest in tiers.values()}
    approved = ProductTier.objects.filter(
        revision__state=ProductRevision.State.APPROVED, revision__category__in=categories
    )
    for category, price in approved.values_list("revision__category", "price_fen"):
        category_prices[category].append(price)
    category_median = {category: median(prices) for category, prices in category_prices.items()}
    comparables = defaultdict(list)
    revisions = {revision_id for revision_id, *_rest in tiers.values()}
    for revision_id, price in Comparable.objects.filter(revision_id__in=revisions).values_list(
        "revision_id", "price_fen"
    ):
        if price > 0:
            comparables[revision_id].append(price)
    own_ratio = settings.INTEGRITY_PRICE_COMPARABLE_RATIO_BP
    category_ratio = settings.INTEGRITY_PRICE_CATEGORY_RATIO_BP
    for tier_id, (revision_id, category, price, provider_id, city_id) in tiers.items():
        rows = []
        own = median(comparables[revision_id]) if comparables[revision_id] else None
        if own and price * 10000 > own * own_ratio:
            rows.append(["comparables_median", format_yuan(price), format_yuan(int(own))])
        typical = category_median.get(category)
        if typical and price * 10000 > typical * category_ratio:
            rows.append(["category_median", format_yuan(price), format_yuan(int(typical))])
        if not rows:
            continue
        order_ids = sorted(by_tier[tier_id])
        yield Finding(
            kind="price_outlier",
            subject=str(tier_id),
            city_id=city_id,
            message=_("The price %(price)s is far above %(basis)s."),
            params={
                "price": format_yuan(price),
                "basis": [
                    _("the median of its own comparables") if r[0] == "comparables_median" else _("the category median")
                    for r in rows
                ],
            },
            evidence={
                "sides": ["price", "reference"],
                "rows": rows,
                "links": [provider_link(provider_id)] + [order_link(i) for i in order_ids[:20]],
            },
            order_ids=tuple(order_ids),
            order_id=order_ids[0],
            provider_id=provider_id,
        )
