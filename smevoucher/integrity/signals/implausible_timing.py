"""implausible_timing: an order went from placed to completed faster than the product's stated service cycle
allows.

Each product states its service cycle (R5, e.g. "30个工作日", "3个月"). A service truly delivered takes a good
part of it; placed → contract → completed in under INTEGRITY_TIMING_SHARE_BP / 10000 of the stated cycle
suggests paperwork without service. Where the cycle cannot be read, only completion within
INTEGRITY_TIMING_MIN_HOURS of the order (no real service fits in a day or two) is flagged.
"""

import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import Finding, rule
from ._rows import live_orders, order_link, provider_link

_CYCLE = re.compile(r"(\d+(?:\.\d+)?)\s*(个)?\s*(工作日|天|日|周|星期|个月|月|年|days?|weeks?|months?|years?)", re.I)
_UNIT_DAYS = {
    "工作日": 1.4,  # 5 working days a week
    "天": 1,
    "日": 1,
    "周": 7,
    "星期": 7,
    "个月": 30,
    "月": 30,
    "年": 365,
    "day": 1,
    "week": 7,
    "month": 30,
    "year": 365,
}


def stated_days(duration: str) -> float | None:
    """The days a stated cycle means ("30个工作日" → 42); the first number read, None when there is none."""
    found = _CYCLE.search(unicodedata.normalize("NFKC", duration or ""))
    if not found:
        return None
    unit = found.group(3).lower().rstrip("s")
    return float(found.group(1)) * _UNIT_DAYS[unit]


@rule("implausible_timing", _("Implausible timing"))
def detect(scope):
    share = settings.INTEGRITY_TIMING_SHARE_BP
    floor = timedelta(hours=settings.INTEGRITY_TIMING_MIN_HOURS)
    for order_id, placed, completed, duration, provider_id, enterprise_id, city_id in (
        live_orders(scope)
        .filter(completed_at__isnull=False)
        .values_list(
            "id",
            "placed_at",
            "completed_at",
            "revision__duration",
            "provider_id",
            "enterprise_id",
            "enterprise__city_id",
        )
    ):
        took = completed - placed
        days = stated_days(duration)
        least = timedelta(days=days * share / 10000) if days else floor
        if took >= max(least, timedelta(0)):
            continue
        yield Finding(
            kind="implausible_timing",
            subject=str(order_id),
            city_id=city_id,
            message=_(
                "The service was completed %(took)s days after the order, but its stated service cycle is “%(cycle)s”."
            ),
            params={"took": _days_text(took), "cycle": duration or "—"},
            evidence={
                "sides": ["actual", "stated"],
                "rows": [["service_cycle", _days_text(took), duration or "—"]],
                "links": [order_link(order_id), provider_link(provider_id)],
            },
            order_ids=(order_id,),
            order_id=order_id,
            provider_id=provider_id,
            enterprise_id=enterprise_id,
        )


def _days_text(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 86400:.1f}"
