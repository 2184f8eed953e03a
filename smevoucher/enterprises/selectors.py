from django.db.models import QuerySet

from smevoucher.core import access

from .models import Enterprise


def enterprises_visible_to(user) -> QuerySet[Enterprise]:
    """The province unit sees all, a city unit its city, an enterprise user only its own."""
    base = Enterprise.objects.select_related("organisation", "city").prefetch_related("priority_tags")
    kind = access.organisation_kind(user)
    if kind == access.PROVINCE_UNIT:
        return base
    if kind == access.CITY_UNIT:
        return base.filter(city_id=user.organisation.city_id)
    if kind == access.ENTERPRISE:
        return base.filter(organisation_id=user.organisation_id)
    return base.none()


def enterprise_get_for(*, user, enterprise_id) -> Enterprise:
    enterprise = enterprises_visible_to(user).filter(pk=enterprise_id).first()
    return access.require(user, "enterprises.view_enterprise", enterprise)


def enterprise_of(user) -> Enterprise | None:
    if access.organisation_kind(user) != access.ENTERPRISE:
        return None
    return enterprises_visible_to(user).first()
