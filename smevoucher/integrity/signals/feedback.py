"""complaint and low_rating: what the enterprise said about the service after receipt (issue 17).

A complaint to the issuing city's unit, or a rating of LOW_SCORE or less (1–2 of 5), is the enterprise's own
word that the service fell short; for a voucher scheme that is the cheapest evidence of service never delivered.
One flag per complaint (a second complaint on the same order is a new case) and one per very low rating (a
revised rating keeps its flag). Complaints closed by the unit stay flagged: closing answers the enterprise, the
flag asks whether the provider breached its commitment.
"""

from django.utils.translation import gettext_lazy as _

from smevoucher.feedback.models import Complaint, Rating
from smevoucher.feedback.selectors import LOW_SCORE

from . import Finding, rule
from ._rows import enterprise_link, order_link, provider_link


def _in_scope(queryset, scope):
    return scope.orders(queryset) if scope is not None else queryset


@rule("complaint", _("Complaint"))
def complaints(scope):
    rows = _in_scope(Complaint.objects.all(), scope).values_list(
        "pk", "order_id", "provider_id", "enterprise_id", "city_id", "text", "filed_at"
    )
    for pk, order_id, provider_id, enterprise_id, city_id, text, filed_at in rows.iterator(chunk_size=2000):
        yield Finding(
            kind="complaint",
            subject=str(pk),
            city_id=city_id,
            message=_("The enterprise complained about the service of this order on %(day)s."),
            params={"day": f"{filed_at:%Y-%m-%d}"},
            evidence={
                "sides": ["complaint", "filed"],
                "rows": [[text[:500], f"{filed_at:%Y-%m-%d %H:%M}"]],
                "links": [order_link(order_id), provider_link(provider_id), enterprise_link(enterprise_id)],
            },
            order_ids=(order_id,),
            order_id=order_id,
            provider_id=provider_id,
            enterprise_id=enterprise_id,
        )


@rule("low_rating", _("Very low rating"))
def low_ratings(scope):
    rows = _in_scope(Rating.objects.filter(score__lte=LOW_SCORE), scope).values_list(
        "order_id", "provider_id", "enterprise_id", "order__batch__city_id", "score", "comment"
    )
    for order_id, provider_id, enterprise_id, city_id, score, comment in rows.iterator(chunk_size=2000):
        yield Finding(
            kind="low_rating",
            subject=str(order_id),
            city_id=city_id,
            message=_("The enterprise rated the service of this order %(score)s of 5."),
            params={"score": score},
            evidence={
                "sides": ["score", "comment"],
                "rows": [[f"{score} / 5", comment[:500]]],
                "links": [order_link(order_id), provider_link(provider_id), enterprise_link(enterprise_id)],
            },
            order_ids=(order_id,),
            order_id=order_id,
            provider_id=provider_id,
            enterprise_id=enterprise_id,
        )
