from django import template

from smevoucher.core import access, clock

from ..selectors import batches_open_or_next

register = template.Library()


@register.inclusion_tag("vouchers/_open_batches.html", takes_context=True)
def open_batches(context):
    """The home page's box: the batch open for claims now (or the next one) with its window; an enterprise sees
    its own city's, everyone else every city's."""
    user = context.get("user")
    is_enterprise = access.organisation_kind(user) == access.ENTERPRISE
    city_id = user.organisation.city_id if is_enterprise else None
    batches = batches_open_or_next(city_id=city_id)
    now = clock.now()
    return {
        "batches": batches,
        "open_now": bool(batches) and batches[0].claim_start <= now,
        "is_enterprise": is_enterprise,
    }
