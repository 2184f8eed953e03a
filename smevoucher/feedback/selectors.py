"""Reads of ratings and complaints: who sees which, and the figures the integrity rules use (issue 17:
complaints and very low ratings are risk signals too)."""

from datetime import datetime

from django.db.models import Avg, Count, QuerySet

from smevoucher.core import access

from .models import Complaint, Rating

# A score at or below this is a "very low" rating (1 or 2 of 5).
LOW_SCORE = 2
# After receipt: the enterprise rates the service and may complain (issue 17).
RECEIVED = ("payment_confirmed", "refunded")


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """An enterprise its own complaints; a city unit those sent to it (its city issued the vouchers); the
    province unit all."""
    base = Complaint.objects.select_related("order", "enterprise__organisation", "provider__organisation", "city")
    kind = access.organisation_kind(user)
    if kind == access.ENTERPRISE:
        return base.filter(enterprise__organisation_id=user.organisation_id)
    if kind == access.CITY_UNIT:
        return base.filter(city_id=user.organisation.city_id)
    if kind == access.PROVINCE_UNIT:
        return base
    return base.none()


def complaint_get_for(*, user, complaint_id) -> Complaint:
    return access.require(user, "feedback.view_complaint", complaints_visible_to(user).filter(pk=complaint_id).first())


def rating_of(order) -> Rating | None:
    return Rating.objects.filter(order=order).first()


def may_give_feedback(order) -> bool:
    """The order's vouchers were received (and possibly refunded since): the service can be judged."""
    return order.status in RECEIVED


# --- for the integrity rules -----------------------------------------------------------------------------------


def complaints_of_provider(provider_id: int, *, since: datetime | None = None) -> QuerySet[Complaint]:
    """Every complaint about the provider's service (any status), newest first; `since` bounds the filing time."""
    complaints = Complaint.objects.filter(provider_id=provider_id).select_related("order", "enterprise")
    return complaints.filter(filed_at__gte=since) if since else complaints


def low_ratings(
    *, provider_id: int | None = None, at_most: int = LOW_SCORE, since: datetime | None = None
) -> QuerySet[Rating]:
    """Ratings at or below `at_most` (very low: 1–2 of 5), of one provider or all, with their orders."""
    ratings = Rating.objects.filter(score__lte=at_most).select_related("order", "enterprise", "provider")
    if provider_id is not None:
        ratings = ratings.filter(provider_id=provider_id)
    return ratings.filter(updated_at__gte=since) if since else ratings


def provider_rating_summary(provider_id: int) -> dict:
    """{"count": n, "average": x.y or None, "low": n very low} over all the provider's ratings."""
    figures = Rating.objects.filter(provider_id=provider_id).aggregate(count=Count("pk"), average=Avg("score"))
    figures["average"] = round(figures["average"], 1) if figures["average"] is not None else None
    figures["low"] = Rating.objects.filter(provider_id=provider_id, score__lte=LOW_SCORE).count()
    return figures


def complaints_filtered(filters, complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The complaint list's search and status filter (a `core.lists.ListFilterForm`), as its page and its API offer
    them: text in the provider's name."""
    return filters.apply(complaints, search=("provider__organisation__name",))
