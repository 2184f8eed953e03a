"""burst: a provider receives orders from many enterprises that all signed up within a few days of each other.

Shell enterprises set up for cashing vouchers are registered in one go, shortly before they order from the
provider that recruited them. Sign-ups bunch around every claim window anyway, so a raw count misleads; we
compare with the city's own sign-up rhythm. For each provider and city, a window of INTEGRITY_BURST_DAYS days
is suspicious when at least INTEGRITY_BURST_MIN_ENTERPRISES of the provider's customers signed up in it and
that is at least INTEGRITY_BURST_RATIO_BP / 10000 times what the city's other sign-ups in the same window would
give the provider by chance (its customers × the share of the city's other enterprises that signed up in the
window). The chance rate leaves the provider's own customers out: in a city with few enterprises a burst of shells
is itself a large part of the window's sign-ups and would otherwise raise the rate it is measured against (a
services-driven simulation of a small city showed it). Sorting makes it n log n; the sliding window itself is
linear.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from smevoucher.enterprises.models import Enterprise

from . import Finding, rule
from ._rows import enterprise_link, live_orders, provider_link


@rule("burst", _("Burst of new enterprises"))
def detect(scope):
    customers = defaultdict(dict)  # (provider, city) → enterprise → signed up
    orders = defaultdict(list)
    rows = live_orders(scope)
    if scope is not None:  # a burst is a pattern over all of a provider's customers
        providers = set(rows.values_list("provider_id", flat=True))
        rows = live_orders(None).filter(provider_id__in=providers)
    for order_id, provider_id, enterprise_id, city_id, signed_up in rows.values_list(
        "id", "provider_id", "enterprise_id", "enterprise__city_id", "enterprise__created_at"
    ):
        customers[(provider_id, city_id)][enterprise_id] = signed_up
        orders[(provider_id, enterprise_id)].append(order_id)
    if not customers:
        return
    window = timedelta(days=settings.INTEGRITY_BURST_DAYS)
    least = settings.INTEGRITY_BURST_MIN_ENTERPRISES
    ratio = settings.INTEGRITY_BURST_RATIO_BP
    # First the windows with enough of the provider's customers; the city's sign-ups are then read only over the
    # span those windows cover (an incremental run does not read a whole city's enterprises).
    candidates = {}
    spans = {}
    for key, signed in customers.items():
        people = sorted(signed.items(), key=lambda item: (item[1], item[0]))
        windows, start = [], 0
        for end in range(len(people)):
            while people[end][1] - people[start][1] > window:
                start += 1
            if end - start + 1 >= least:
                windows.append((start, end + 1))
        if windows:
            candidates[key] = (people, windows)
            low, high = people[windows[0][0]][1], people[windows[-1][0]][1] + window
            old = spans.get(key[1])
            spans[key[1]] = (min(low, old[0]), max(high, old[1])) if old else (low, high)
    if not candidates:
        return
    by_city = Enterprise.objects.filter(city_id__in=spans).values("city_id").annotate(n=Count("id"))
    totals = dict(by_city.values_list("city_id", "n"))
    city_signups = {
        city_id: sorted(
            Enterprise.objects.filter(city_id=city_id, created_at__range=span).values_list("created_at", flat=True)
        )
        for city_id, span in spans.items()
    }
    for (provider_id, city_id), (people, windows) in candidates.items():
        city, best = city_signups[city_id], None
        for start, end in windows:
            t0 = people[start][1]
            others = bisect_right(city, t0 + window) - bisect_left(city, t0) - (end - start)
            others_total = totals[city_id] - len(people)
            if others_total <= 0:  # every enterprise of the city is its customer: nothing to compare with
                break
            expected = len(people) * max(0, others) / others_total
            if (end - start) * 10000 >= expected * ratio and (best is None or end - start > best[1] - best[0]):
                best = (start, end)
        if best is None:
            continue
        group = people[best[0] : best[1]]
        enterprise_ids = sorted(e for e, _t in group)
        order_ids = sorted(o for e in enterprise_ids for o in orders[(provider_id, e)])
        yield Finding(
            kind="burst",
            subject=f"{provider_id}-{city_id}",
            city_id=city_id,
            message=_(
                "%(count)s enterprises that signed up within %(days)s days of each other all order from this provider."
            ),
            params={"count": len(group), "days": settings.INTEGRITY_BURST_DAYS},
            evidence={
                "sides": ["enterprise", "signed_up"],
                "rows": [["enterprise_signed_up", f"#{e}", t.date().isoformat()] for e, t in group],
                "links": [provider_link(provider_id)] + [enterprise_link(e) for e in enterprise_ids[:30]],
            },
            order_ids=tuple(order_ids),
            provider_id=provider_id,
        )
