"""R7, the cap (10 % by default): the vouchers one provider receives from one issuing city in a year may not exceed
the cap share of that city's total issued for the year (the sum of its batch totals). Each batch brings its own
share, the one in force when it opened (R19), so the cap is the sum of total × share over the year's batches.

The orders app reserves the expected amount when the provider confirms an order and converts it to received
(for the actual amount, checked again) when the provider confirms the payment. Every change is one conditional
UPDATE … WHERE reserved + received + x <= cap on the provider's row, so two confirmations at the same moment
can never together pass the cap; the CheckConstraint `cap_not_passed` is the backstop.
"""

from django.db import transaction
from django.db.models import F, Sum

from ..errors import CapExceeded
from ..models import Batch, CapUsage


def issued_batches(city_ids, years):
    """The cities' batches issued in the years: every batch that was opened (drafts are not issued)."""
    return Batch.objects.filter(city_id__in=city_ids, year__in=years).exclude(status=Batch.Status.DRAFT)


def cap_fen(city_id: int, year: int) -> int:
    """Each batch's total times its cap share, summed, rounded down to the fen once."""
    share = issued_batches([city_id], [year]).aggregate(share=Sum(F("total_fen") * F("cap_bp")))["share"] or 0
    return share // 10000


def _row(provider_id: int, batch: Batch) -> CapUsage:
    row, _created = CapUsage.objects.get_or_create(provider_id=provider_id, city_id=batch.city_id, year=batch.year)
    return row


@transaction.atomic
def cap_reserve(*, provider_id: int, batch: Batch, fen: int) -> CapUsage:
    """Reserve fen of the provider's cap in the batch's city and year, or raise CapExceeded (nothing changes)."""
    row = _row(provider_id, batch)
    cap = cap_fen(batch.city_id, batch.year)
    done = (
        CapUsage.objects.filter(pk=row.pk)
        .filter(**{"reserved_fen__lte": cap - fen - F("received_fen")})
        .update(reserved_fen=F("reserved_fen") + fen, cap_fen=cap)
    )
    if not done:
        raise CapExceeded()
    row.refresh_from_db()
    return row


@transaction.atomic
def cap_receive(*, provider_id: int, batch: Batch, reserved_fen: int, received_fen: int) -> CapUsage:
    """A payment confirmed: the order's reservation becomes received for the actual amount, checked again."""
    row = _row(provider_id, batch)
    cap = cap_fen(batch.city_id, batch.year)
    done = (
        CapUsage.objects.filter(pk=row.pk, reserved_fen__gte=reserved_fen)
        .filter(reserved_fen__lte=cap - received_fen + reserved_fen - F("received_fen"))
        .update(
            reserved_fen=F("reserved_fen") - reserved_fen,
            received_fen=F("received_fen") + received_fen,
            cap_fen=cap,
        )
    )
    if not done:
        raise CapExceeded()
    row.refresh_from_db()
    return row


@transaction.atomic
def cap_release(*, provider_id: int, batch: Batch, reserved_fen: int = 0, received_fen: int = 0) -> None:
    """Give back a reservation (order cancelled or reclaimed) or a received amount (refund, R12)."""
    row = _row(provider_id, batch)
    CapUsage.objects.filter(pk=row.pk).update(
        reserved_fen=F("reserved_fen") - reserved_fen, received_fen=F("received_fen") - received_fen
    )


def cap_usage_of(provider_id: int) -> list[dict]:
    """The live gauge: per issuing city and year, the cap, its share of the city's total (R19: the batches' own
    shares, weighted by their totals), what is reserved and received, and the share of the cap used. Two queries
    however many cities and years the provider has rows for (the issued totals grouped by city and year)."""
    usage = list(CapUsage.objects.filter(provider_id=provider_id).select_related("city").order_by("-year", "city_id"))
    issued = {
        (sums["city_id"], sums["year"]): sums
        for sums in issued_batches({row.city_id for row in usage}, {row.year for row in usage})
        .values("city_id", "year")
        .annotate(share=Sum(F("total_fen") * F("cap_bp")), total=Sum("total_fen"))
        .order_by()
    }
    rows = []
    for row in usage:
        sums = issued.get((row.city_id, row.year), {"share": 0, "total": 0})
        cap = sums["share"] // 10000
        used = row.reserved_fen + row.received_fen
        rows.append(
            {
                "city": row.city,
                "year": row.year,
                "cap_fen": cap,
                "share_bp": sums["share"] // sums["total"] if sums["total"] else 0,
                "reserved_fen": row.reserved_fen,
                "received_fen": row.received_fen,
                "used_fen": used,
                "free_fen": max(cap - used, 0),
                "percent": min(100, used * 100 // cap) if cap else 0,
            }
        )
    return rows


def caps_release(*, batch: Batch, reserved: dict[int, int]) -> None:
    """`cap_release` of reservations for many providers of one batch's city and year at once: `reserved` maps a
    provider (organisation) id to the fen its orders give back. Inside the caller's transaction."""
    reserved = {provider_id: fen for provider_id, fen in reserved.items() if fen}
    if not reserved:
        return
    have = set(
        CapUsage.objects.filter(provider_id__in=reserved, city_id=batch.city_id, year=batch.year).values_list(
            "provider_id", flat=True
        )
    )
    for provider_id in sorted(set(reserved) - have):
        _row(provider_id, batch)
    for provider_id in sorted(reserved):  # one row each, in a fixed order
        CapUsage.objects.filter(provider_id=provider_id, city_id=batch.city_id, year=batch.year).update(
            reserved_fen=F("reserved_fen") - reserved[provider_id]
        )
