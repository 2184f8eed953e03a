from django.db.models import QuerySet

from smevoucher.core import access

from .models import Enterprise, EnterpriseChangeRequest


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


def change_requests_visible_to(user) -> QuerySet[EnterpriseChangeRequest]:
    """Issue 17: an enterprise's own requests; a unit's, those of the enterprises it sees."""
    return EnterpriseChangeRequest.objects.filter(
        enterprise__in=enterprises_visible_to(user).values("pk")
    ).select_related("enterprise__organisation", "enterprise__city", "requested_by", "licence", "decided_by")


def change_request_queue_for(user) -> QuerySet[EnterpriseChangeRequest]:
    """The requests this user's unit decides: a city unit's own city (the province sees, but does not decide)."""
    if access.organisation_kind(user) != access.CITY_UNIT:
        return EnterpriseChangeRequest.objects.none()
    return EnterpriseChangeRequest.objects.filter(enterprise__city_id=user.organisation.city_id).select_related(
        "enterprise__organisation", "requested_by"
    )


def change_request_get_for(*, user, request_id) -> EnterpriseChangeRequest:
    change = change_requests_visible_to(user).filter(pk=request_id).first()
    access.require(user, "enterprises.view_enterprise", change.enterprise if change else None)
    return change


def enterprises_filtered(filters, enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprise list's search and status filter (a `core.lists.ListFilterForm`), as its page and its API offer
    them: text in the name or the unified social credit code."""
    return filters.apply(enterprises, search=("organisation__name", "uscc"))
