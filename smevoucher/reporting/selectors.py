"""The figures of the oversight dashboard (R17, the issue's point 1 and the report API).

Where the figures come from
---------------------------
Every amount of the funnel comes from the voucher ledger's accounts (DESIGN §4): `LedgerAccount.balance_fen` is
the cache that `verify_ledger` checks against the entries, updated in the same transaction as every movement.

    stage      fen                                            count
    issued     the batch totals (the pools' opening balance)  batches
    claimed    the amounts requested                           claims
    allocated  issued − pool: what left the pool, not back     claims that received vouchers
    ordered    the orders' escrow balances                     orders holding vouchers in escrow
    received   the providers' balances (not yet redeemed)      paid orders not in an approved redemption
    redeemed   the redeemed balance                            paid orders in an approved redemption
    reclaimed  the reclaimed balance (out for good, R10)       reclaims into it
    pool       the pool balance                                claims still waiting for vouchers
    wallets    the enterprises' wallet balances                wallets holding vouchers

so, per batch, pool + wallets + ordered + received + redeemed + reclaimed = issued, and each balance stage equals
the sum of its accounts' entries (the reconciliation test checks both).

Why a refreshed snapshot
------------------------
A province year is ~200k claims, ~1M orders and as many escrow accounts. Summing the ledger's accounts or the
orders on each page view grows with those tables, so the dashboard reads `BatchFigures`/`ProviderFigures`:
one row per batch (and per batch and provider), rebuilt by `figures_refresh` with a handful of set-based GROUP BY
queries over all batches at once. A page reads a bounded number of rows (batches of a year, providers), so its
time does not grow with the orders. The rows are rebuilt by a Celery beat job every few minutes
(`reporting-figures-refresh`), on demand (the dashboard's "refresh" button and `POST /api/v1/reports/refresh/`)
and for any batch that has none yet; the page shows "as of". We did not keep a summary row in the ledger's own
transaction: every order, payment and reclaim of a batch would then update the same summary row and serialise
on its lock, and the breakdowns (claims per minute, by size, by category, deadline risks) cannot be kept
incrementally anyway. Figures that are already bounded summaries are read live: providers' cap use (`CapUsage`,
kept in the same transaction as every confirmation, one row per provider, city and year) and the redemption
applications waiting on a unit.

Scope: a city unit sees its city only (another city in `city=` or a batch of another city is "not found"), the
province unit every city, with a per-city table.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import TruncMinute
from django.http import Http404
from django.utils import timezone

from smevoucher.accounts.models import City
from smevoucher.core import access, clock
from smevoucher.orders.models import Order
from smevoucher.redemption.models import Application, Line
from smevoucher.vouchers.models import Batch, CapUsage, Claim, LedgerAccount, LedgerTransaction
from smevoucher.vouchers.selectors import batches_visible_to

from .models import BatchFigures, ProviderFigures

STAGES = ("issued", "claimed", "allocated", "ordered", "received", "redeemed", "reclaimed", "pool", "wallets")
# Where each ledger account kind sits in the funnel.
KIND_STAGE = {
    LedgerAccount.Kind.POOL: "pool",
    LedgerAccount.Kind.WALLET: "wallets",
    LedgerAccount.Kind.ESCROW: "ordered",
    LedgerAccount.Kind.PROVIDER: "received",
    LedgerAccount.Kind.REDEEMED: "redeemed",
    LedgerAccount.Kind.RECLAIMED: "reclaimed",
}
RISK_DAYS = 7  # deadline risks: what falls due within this many days
NEAR_CAP_BP = 8000  # providers above 80 % of their cap are marked
TOP = 50  # rows of the per-provider tables on the page (the totals cover all)


def _local(moment):
    return timezone.localtime(moment, timezone.get_default_timezone())


def _empty_stages() -> dict:
    return {key: {"fen": 0, "count": 0} for key in STAGES}


def _add(target: dict, key: str, fen: int = 0, count: int = 0) -> None:
    target[key]["fen"] += fen or 0
    target[key]["count"] += count or 0


# --- the snapshot ------------------------------------------------------------------------------------------------


def figures_refresh(*, batch_ids=None) -> int:
    """Rebuild the figures of the given batches (all issued batches when None) from the ledger and the orders.
    A fixed number of queries whatever the number of batches. Returns the number of batches refreshed."""
    now = clock.now()
    soon = now + timedelta(days=RISK_DAYS)
    batches_qs = Batch.objects.exclude(status=Batch.Status.DRAFT)
    if batch_ids is not None:
        batches_qs = batches_qs.filter(pk__in=list(batch_ids))
    batches = {b.pk: b for b in batches_qs.only("id", "city_id", "year", "total_fen", "claim_start", "validity_end")}
    if not batches:
        return 0
    in_scope = batches_qs.values("pk")
    stages = {pk: _empty_stages() for pk in batches}
    extra = {pk: _empty_breakdowns() for pk in batches}

    # The ledger: one statement, so the balances it reads are one consistent snapshot.
    ledger_rows = (
        LedgerAccount.objects.filter(batch_id__in=in_scope)
        .values("batch_id", "kind")
        .annotate(fen=Sum("balance_fen"), opening=Sum("opening_fen"), held=Count("id", filter=Q(balance_fen__gt=0)))
    )
    for row in ledger_rows:
        s = stages[row["batch_id"]]
        stage = KIND_STAGE[row["kind"]]
        count = row["held"] if stage in ("ordered", "wallets") else 0
        _add(s, stage, row["fen"], count)
        _add(s, "issued", row["opening"])
    for s in stages.values():
        s["issued"]["count"] = 1
        s["allocated"]["fen"] = s["issued"]["fen"] - s["pool"]["fen"]

    claim_rows = (
        Claim.objects.filter(batch_id__in=in_scope)
        .values("batch_id")
        .annotate(
            n=Count("id"),
            fen=Sum("amount_fen"),
            allocated=Count("id", filter=Q(allocated_fen__gt=0)),
            waiting=Count("id", filter=Q(status__in=[Claim.Status.WAITING, Claim.Status.PARTIAL])),
        )
    )
    for row in claim_rows:
        s = stages[row["batch_id"]]
        _add(s, "claimed", row["fen"], row["n"])
        s["allocated"]["count"] = row["allocated"]
        s["pool"]["count"] = row["waiting"]

    reclaims = (
        LedgerTransaction.objects.filter(batch_id__in=in_scope, kind=LedgerTransaction.Kind.RECLAIM_EXPIRED)
        .values("batch_id")
        .annotate(n=Count("id"))
    )
    for row in reclaims:
        stages[row["batch_id"]]["reclaimed"]["count"] = row["n"]

    redeemed_line = Line.objects.filter(
        order_id=OuterRef("pk"), live=True, application__status__in=[Application.S.APPROVED, Application.S.PAID_OUT]
    )
    paid = Q(status=Order.S.PAYMENT_CONFIRMED)
    due = Q(status__in=Order.WITHOUT_CONTRACT, contract_due__gt=now, contract_due__lte=soon)
    waiting = Q(status=Order.S.PAYMENT_SUBMITTED)
    order_rows = (
        Order.objects.filter(batch_id__in=in_scope)
        .annotate(redeemed=Exists(redeemed_line))
        .values("batch_id")
        .annotate(
            received=Count("id", filter=paid & Q(redeemed=False)),
            redeemed_n=Count("id", filter=paid & Q(redeemed=True)),
            due_n=Count("id", filter=due),
            due_fen=Sum("expected_voucher_fen", filter=due),
            waiting_n=Count("id", filter=waiting),
            waiting_fen=Sum("expected_voucher_fen", filter=waiting),
        )
    )
    for row in order_rows:
        pk = row["batch_id"]
        stages[pk]["received"]["count"] = row["received"]
        stages[pk]["redeemed"]["count"] = row["redeemed_n"]
        extra[pk]["risk"]["contracts_due"] = {"fen": row["due_fen"] or 0, "count": row["due_n"]}
        extra[pk]["risk"]["payments_waiting"] = {"fen": row["waiting_fen"] or 0, "count": row["waiting_n"]}

    _breakdowns(batches, in_scope, extra, now, soon)
    provider_rows = (
        Order.objects.filter(batch_id__in=in_scope, status=Order.S.PAYMENT_CONFIRMED)
        .values("batch_id", "provider_id")
        .annotate(n=Count("id"), expected=Sum("expected_voucher_fen"), actual=Sum("voucher_fen"))
    )
    provider_figures = [
        ProviderFigures(
            batch_id=row["batch_id"],
            city_id=batches[row["batch_id"]].city_id,
            year=batches[row["batch_id"]].year,
            provider_id=row["provider_id"],
            orders=row["n"],
            expected_fen=row["expected"] or 0,
            actual_fen=row["actual"] or 0,
            computed_at=now,
        )
        for row in provider_rows
    ]
    rows = [
        BatchFigures(
            batch_id=pk, city_id=b.city_id, year=b.year, computed_at=now, stages=stages[pk], breakdowns=extra[pk]
        )
        for pk, b in batches.items()
    ]
    # Upserts, then the rows this run did not write are dropped: two refreshes at once (the beat job and a
    # button) both succeed, and the later one's figures stand.
    with transaction.atomic():
        ProviderFigures.objects.bulk_create(
            provider_figures,
            update_conflicts=True,
            unique_fields=["batch", "provider"],
            update_fields=["orders", "expected_fen", "actual_fen", "computed_at"],
            batch_size=1000,
        )
        ProviderFigures.objects.filter(batch_id__in=list(batches), computed_at__lt=now).delete()
        BatchFigures.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["batch"],
            update_fields=["city", "year", "computed_at", "stages", "breakdowns"],
            batch_size=500,
        )
    return len(rows)


def _empty_breakdowns() -> dict:
    zero = {"fen": 0, "count": 0}
    return {
        "opening_day": "",
        "per_minute": {},  # "HH:MM" on the opening day → [claims, fen]
        "per_day": {},  # "YYYY-MM-DD" → [claims, fen]
        "by_size": {},
        "by_industry": {},
        "by_tag": {},
        "by_category": {},
        "risk": {"expiring": dict(zero), "contracts_due": dict(zero), "payments_waiting": dict(zero)},
    }


def _bump(bucket: dict, key, n: int, fen: int) -> None:
    old = bucket.get(key, [0, 0])
    bucket[key] = [old[0] + n, old[1] + (fen or 0)]


def _breakdowns(batches: dict, in_scope, extra: dict, now, soon) -> None:
    tz = timezone.get_default_timezone()
    for pk, batch in batches.items():
        extra[pk]["opening_day"] = _local(batch.claim_start).date().isoformat()
    claims = Claim.objects.filter(batch_id__in=in_scope)
    minutes = (
        claims.annotate(minute=TruncMinute("submitted_at", tzinfo=tz))
        .values("batch_id", "minute")
        .annotate(n=Count("id"), fen=Sum("amount_fen"))
    )
    for row in minutes:
        e = extra[row["batch_id"]]
        local = _local(row["minute"])
        day = local.date().isoformat()
        if day == e["opening_day"]:
            _bump(e["per_minute"], local.strftime("%H:%M"), row["n"], row["fen"])
        _bump(e["per_day"], day, row["n"], row["fen"])
    for key, column in (("by_size", "enterprise__size"), ("by_industry", "enterprise__industry")):
        for row in claims.values("batch_id", column).annotate(n=Count("id"), fen=Sum("amount_fen")):
            _bump(extra[row["batch_id"]][key], row[column], row["n"], row["fen"])
    tags = claims.values("batch_id", "enterprise__priority_tags__code").annotate(n=Count("id"), fen=Sum("amount_fen"))
    for row in tags:
        _bump(extra[row["batch_id"]]["by_tag"], row["enterprise__priority_tags__code"] or "", row["n"], row["fen"])
    categories = (
        Order.objects.filter(batch_id__in=in_scope)
        .values("batch_id", "revision__category")
        .annotate(n=Count("id"), fen=Sum("expected_voucher_fen"))
    )
    for row in categories:
        _bump(extra[row["batch_id"]]["by_category"], row["revision__category"], row["n"], row["fen"])

    # Vouchers that fall due within RISK_DAYS unspent: everything a wallet or an unpaid escrow holds in a batch
    # that expires (R10), and the wallets whose own order deadline (R8) comes first.
    expiring_ids = [pk for pk, b in batches.items() if now < b.expires_at <= soon]
    held = LedgerAccount.objects.filter(balance_fen__gt=0)
    expiring = held.filter(batch_id__in=expiring_ids, kind__in=["wallet", "escrow"]).filter(
        Q(kind="wallet") | Q(payment_submitted_at__isnull=True)
    )
    order_deadline_soon = Claim.objects.filter(
        batch_id=OuterRef("batch_id"),
        enterprise_id=OuterRef("enterprise_id"),
        order_deadline__gt=now,
        order_deadline__lte=soon,
    )
    r8 = held.filter(batch_id__in=in_scope, kind="wallet").exclude(batch_id__in=expiring_ids)
    r8 = r8.filter(Exists(order_deadline_soon))
    for query in (expiring, r8):
        for row in query.values("batch_id").annotate(n=Count("id"), fen=Sum("balance_fen")):
            risk = extra[row["batch_id"]]["risk"]["expiring"]
            risk["count"] += row["n"]
            risk["fen"] += row["fen"] or 0


# --- who sees what ----------------------------------------------------------------------------------------------


@dataclass
class Scope:
    """The figures a unit asked for: a year, optionally one city and one batch, within its remit."""

    year: int
    city: City | None = None
    batch: Batch | None = None
    cities: list = field(default_factory=list)
    years: list = field(default_factory=list)
    batches: list = field(default_factory=list)

    @property
    def batch_ids(self) -> list[int]:
        return [self.batch.pk] if self.batch else [b.pk for b in self.batches]

    @property
    def city_ids(self) -> list[int]:
        return [self.city.pk] if self.city else [c.pk for c in self.cities]

    @property
    def is_province(self) -> bool:
        return len(self.cities) > 1


def scope_for(user, *, year: int | None = None, city_id: int | None = None, batch_id: int | None = None) -> Scope:
    """The unit's remit narrowed by the filters; a city or batch outside the remit is "not found" (404)."""
    kind = access.organisation_kind(user)
    if kind not in access.UNIT_KINDS:
        raise Http404
    cities = list(City.objects.all()) if kind == access.PROVINCE_UNIT else [user.organisation.city]
    city = None
    if kind == access.CITY_UNIT:
        city = user.organisation.city
        if city_id is not None and city_id != city.pk:
            raise Http404
    elif city_id is not None:
        city = next((c for c in cities if c.pk == city_id), None)
        if city is None:
            raise Http404
    visible = batches_visible_to(user).exclude(status=Batch.Status.DRAFT)
    years = sorted(set(visible.values_list("year", flat=True)), reverse=True)
    if year is None:
        year = years[0] if years else clock.today().year
    batches = visible.filter(year=year)
    if city is not None:
        batches = batches.filter(city=city)
    batches = list(batches.order_by("city__code", "claim_start", "pk"))
    batch = None
    if batch_id is not None:
        batch = next((b for b in batches if b.pk == batch_id), None)
        if batch is None:
            raise Http404
    return Scope(year=year, city=city, batch=batch, cities=cities, years=years or [year], batches=batches)


def _figures(scope: Scope) -> list[BatchFigures]:
    """The snapshot rows of the scope's batches; a batch without one yet is computed now (once)."""
    ids = scope.batch_ids
    rows = list(BatchFigures.objects.filter(batch_id__in=ids))
    if len(rows) < len(ids):
        figures_refresh(batch_ids=set(ids) - {r.batch_id for r in rows})
        rows = list(BatchFigures.objects.filter(batch_id__in=ids))
    return rows


def figures_refresh_for(scope: Scope) -> int:
    return figures_refresh(batch_ids=scope.batch_ids) if scope.batch_ids else 0


# --- what the dashboard and the API show -------------------------------------------------------------------------


def summary(scope: Scope) -> dict:
    """The funnel totals of the scope, per city too, and when they were computed."""
    rows = _figures(scope)
    totals = _empty_stages()
    per_city: dict[int, dict] = {}
    risk = {"expiring": {"fen": 0, "count": 0}, "contracts_due": {"fen": 0, "count": 0}}
    risk["payments_waiting"] = {"fen": 0, "count": 0}
    for row in rows:
        city = per_city.setdefault(row.city_id, _empty_stages())
        for key in STAGES:
            value = row.stages.get(key, {})
            _add(totals, key, value.get("fen", 0), value.get("count", 0))
            _add(city, key, value.get("fen", 0), value.get("count", 0))
        for key, value in row.breakdowns.get("risk", {}).items():
            if key in risk:
                _add(risk, key, value.get("fen", 0), value.get("count", 0))
    names = {c.pk: c for c in scope.cities}
    cities = [{"city": names[pk], "stages": per_city[pk]} for pk in sorted(per_city, key=lambda p: names[p].code)]
    as_of = min((r.computed_at for r in rows), default=None)
    return {"stages": totals, "per_city": cities, "risk": risk, "as_of": as_of, "batches": len(rows)}


def claims_over_time(scope: Scope) -> dict:
    """Claims per minute on the opening day (one batch chosen) and per day over the window(s)."""
    rows = _figures(scope)
    per_day: dict[str, list] = {}
    per_minute: dict[str, list] = {}
    for row in rows:
        for day, (n, fen) in row.breakdowns.get("per_day", {}).items():
            _bump(per_day, day, n, fen)
    opening_day = ""
    if scope.batch is not None and rows:
        opening_day = rows[0].breakdowns.get("opening_day", "")
        per_minute = rows[0].breakdowns.get("per_minute", {})
    return {
        "opening_day": opening_day,
        "per_minute": [{"minute": k, "claims": v[0], "fen": v[1]} for k, v in sorted(per_minute.items())],
        "per_day": [{"day": k, "claims": v[0], "fen": v[1]} for k, v in sorted(per_day.items())],
        "as_of": min((r.computed_at for r in rows), default=None),
    }


def breakdowns(scope: Scope) -> dict:
    """Claims by enterprise size, industry and priority tag; orders by service category: {key: [count, fen]}."""
    merged = {"by_size": {}, "by_industry": {}, "by_tag": {}, "by_category": {}}
    for row in _figures(scope):
        for name, bucket in merged.items():
            for key, (n, fen) in row.breakdowns.get(name, {}).items():
                _bump(bucket, key, n, fen)
    return merged


def cap_usage(scope: Scope, *, limit: int = TOP, offset: int = 0) -> dict:
    """R7 per provider and issuing city of the year: cap, reserved, received and the share of the cap, highest
    share first; those above 80 % are marked. Read live from CapUsage (one row per provider, city and year)."""
    caps = dict(
        Batch.objects.filter(year=scope.year, city_id__in=scope.city_ids)
        .exclude(status=Batch.Status.DRAFT)
        .values("city_id")
        .annotate(share=Sum(F("total_fen") * F("cap_bp")))  # R7/R19: each batch's own cap share
        .values_list("city_id", "share")
    )
    caps = {city_id: share // 10000 for city_id, share in caps.items()}
    usage = CapUsage.objects.filter(year=scope.year, city_id__in=list(caps)).annotate(
        used=F("reserved_fen") + F("received_fen")
    )
    usage = usage.exclude(used=0)
    # Order by share of each city's cap: used × 10000 / cap, as an integer expression the database sorts on.
    cap_expr = Case(*[When(city_id=c, then=Value(v)) for c, v in caps.items()], default=Value(0))
    usage = usage.annotate(cap=cap_expr, share_bp=F("used") * 10000 / Case(When(cap=0, then=Value(1)), default="cap"))
    counts = usage.aggregate(n=Count("id"), near=Count("id", filter=Q(share_bp__gt=NEAR_CAP_BP)))
    rows = []
    for row in usage.select_related("provider", "city").order_by("-share_bp", "provider_id")[offset : offset + limit]:
        rows.append(
            {
                "provider_id": row.provider_id,
                "provider": row.provider.name,
                "city": row.city,
                "cap_fen": row.cap,
                "reserved_fen": row.reserved_fen,
                "received_fen": row.received_fen,
                "share_bp": row.share_bp,
                "near_cap": row.share_bp > NEAR_CAP_BP,
            }
        )
    return {"rows": rows, "providers": counts["n"], "near_cap": counts["near"]}


def receipts_by_provider(scope: Scope, *, limit: int = TOP) -> dict:
    """The manual's (五)2 from the unit's side: per provider, paid orders' expected and actual voucher amounts
    and their difference (largest first), with the totals over every provider."""
    _figures(scope)
    base = ProviderFigures.objects.filter(batch_id__in=scope.batch_ids)
    grouped = base.values("provider_id", "provider__organisation__name").annotate(
        orders_n=Sum("orders"), expected=Sum("expected_fen"), actual=Sum("actual_fen")
    )
    grouped = grouped.annotate(difference=F("expected") - F("actual")).order_by("-difference", "provider_id")
    totals = base.aggregate(orders_n=Sum("orders"), expected=Sum("expected_fen"), actual=Sum("actual_fen"))
    rows = [
        {
            "provider_id": r["provider_id"],
            "provider": r["provider__organisation__name"],
            "orders": r["orders_n"],
            "expected_fen": r["expected"],
            "actual_fen": r["actual"],
            "difference_fen": r["difference"],
        }
        for r in grouped[:limit]
    ]
    expected, actual = totals["expected"] or 0, totals["actual"] or 0
    return {
        "rows": rows,
        "totals": {
            "orders": totals["orders_n"] or 0,
            "expected_fen": expected,
            "actual_fen": actual,
            "difference_fen": expected - actual,
        },
    }


def redemptions_waiting(scope: Scope) -> dict:
    """Redemption applications waiting on the unit (R13), live: a small table, filtered by issuing city."""
    waiting = Application.objects.filter(status=Application.S.SUBMITTED, city_id__in=scope.city_ids)
    totals = waiting.aggregate(n=Count("id"), fen=Sum("total_fen"))
    return {"count": totals["n"], "fen": totals["fen"] or 0}


def risk(scope: Scope, figures: dict | None = None) -> dict:
    """Deadline risks: vouchers falling due unspent within 7 days, orders without a contract 7 days before R9,
    payments waiting on a provider, redemption applications waiting on the unit."""
    figures = figures or summary(scope)
    return {**figures["risk"], "redemptions_waiting": redemptions_waiting(scope)}
