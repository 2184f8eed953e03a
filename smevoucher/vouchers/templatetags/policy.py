"""`{% policy_in_force as policy %}`: the policy numbers (R19) a page states, for the viewer's city this year.

Pages of apps that may not import vouchers (the help centre in notices) load this tag instead."""

from django import template

from smevoucher.core import clock
from smevoucher.vouchers.services import policy_for

register = template.Library()


@register.simple_tag(takes_context=True)
def policy_in_force(context):
    """The viewer's city's values (its own where the province set any), else the province-wide ones."""
    user = context.get("user")
    organisation = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return policy_for(getattr(organisation, "city_id", None), clock.today().year)
