"""Reads of risk flags, with what a given unit may see (CONVENTIONS §6)."""

from django.db.models import QuerySet

from smevoucher.core import access

from .models import RiskFlag


def flags_visible_to(user) -> QuerySet[RiskFlag]:
    kind = access.organisation_kind(user)
    flags = RiskFlag.objects.select_related("city", "provider__organisation", "enterprise__organisation", "order")
    if kind == access.PROVINCE_UNIT:
        return flags
    if kind == access.CITY_UNIT:
        return flags.filter(city_id=user.organisation.city_id)
    return flags.none()


def flag_get_for(*, user, flag_id) -> RiskFlag:
    return access.require(user, "integrity.view_flag", flags_visible_to(user).filter(pk=flag_id).first())


def flags_for_orders(user, order_ids) -> list[RiskFlag]:
    """The flags (open first) concerning any of these orders that the user may see: for the review screens."""
    return list(
        flags_visible_to(user).filter(orders__in=list(order_ids)).distinct().order_by("-status", "-found_at")[:50]
    )


def flags_for_provider(user, provider_id) -> list[RiskFlag]:
    return list(flags_visible_to(user).filter(provider_id=provider_id).order_by("-status", "-found_at")[:50])


def open_flags_on_orders(order_ids) -> list[RiskFlag]:
    """Open flags concerning any of these orders (a redemption line waits for their decision)."""
    return list(RiskFlag.objects.filter(status=RiskFlag.Status.OPEN, orders__in=list(order_ids)).distinct())
