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


def order_ids_of_flags(flag_ids) -> dict[int, list[int]]:
    """Each flag's orders, as ids (from the link table alone: no order is read)."""
    links = RiskFlag.orders.through.objects.filter(riskflag_id__in=list(flag_ids)).order_by("riskflag_id", "order_id")
    order_ids = {}
    for flag_id, order_id in links.values_list("riskflag_id", "order_id"):
        order_ids.setdefault(flag_id, []).append(order_id)
    return order_ids


def flags_for_provider(user, provider_id) -> list[RiskFlag]:
    return list(flags_visible_to(user).filter(provider_id=provider_id).order_by("-status", "-found_at")[:50])


def breaches_of_provider(provider_id) -> list[RiskFlag]:
    """The provider's violations record: the flags the units confirmed against it, newest first (R18). Shown to
    whoever may see the provider's page, the provider included."""
    flags = RiskFlag.objects.filter(provider_id=provider_id, status=RiskFlag.Status.CONFIRMED)
    return list(flags.select_related("decided_by__organisation").order_by("-decided_at")[:50])


def open_flags_on_orders(order_ids) -> list[RiskFlag]:
    """Open flags concerning any of these orders (a redemption line waits for their decision)."""
    return list(RiskFlag.objects.filter(status=RiskFlag.Status.OPEN, orders__in=list(order_ids)).distinct())


def confirmed_flags_on_orders(order_ids) -> list[RiskFlag]:
    """Confirmed flags concerning any of these orders: a breach found by the unit, not redeemed (R18)."""
    return list(RiskFlag.objects.filter(status=RiskFlag.Status.CONFIRMED, orders__in=list(order_ids)).distinct())


def breached_orders() -> QuerySet:
    """Ids of the orders of a confirmed flag, for an `Exists`/`__in` filter."""
    return RiskFlag.orders.through.objects.filter(riskflag__status=RiskFlag.Status.CONFIRMED).values("order_id")
