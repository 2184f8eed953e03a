"""Reads, including what a given user may see (missing and not-yours are both 404)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from smevoucher.core import access, clock
from smevoucher.enterprises.models import Enterprise

from .models import DEFAULT_ANNUAL_QUOTA_FEN, Batch, Claim, LedgerAccount, LedgerEntry, LedgerTransaction, QuotaSetting


def batches_visible_to(user) -> QuerySet[Batch]:
    """Units: their remit (a city unit its city, the province all); enterprises: their city's published batches."""
    base = Batch.objects.select_related("city")
    kind = access.organisation_kind(user)
    if kind == access.PROVINCE_UNIT:
        return base
    if kind == access.CITY_UNIT:
        return base.filter(city_id=user.organisation.city_id)
    if kind == access.ENTERPRISE:
        return base.filter(city_id=user.organisation.city_id).exclude(status=Batch.Status.DRAFT)
    return base.none()


def batch_get_for(*, user, batch_id, perm: str = "vouchers.view_batch") -> Batch:
    return access.require(user, perm, batches_visible_to(user).filter(pk=batch_id).first())


def claims_of_batch(batch: Batch) -> QuerySet[Claim]:
    """In allocation order: priority first (as decided at allocation), then submission order."""
    return batch.claims.select_related("enterprise__organisation").order_by("-priority", "id")


def enterprise_of(user) -> Enterprise | None:
    if not access.is_enterprise_user(user):
        return None
    return (
        Enterprise.objects.select_related("organisation", "city").filter(organisation_id=user.organisation_id).first()
    )


def annual_quota_fen(city_id: int, year: int) -> int:
    value = QuotaSetting.objects.filter(city_id=city_id, year=year).values_list("annual_quota_fen", flat=True).first()
    return DEFAULT_ANNUAL_QUOTA_FEN if value is None else value


def remaining_quota_fen(enterprise: Enterprise, year: int) -> int:
    """R6/R10: the annual quota less what the enterprise's claims of the year count against it."""
    used = Claim.objects.filter(enterprise=enterprise, year=year).aggregate(s=Sum("quota_fen"))["s"] or 0
    return max(annual_quota_fen(enterprise.city_id, year) - used, 0)


def queue_position(claim: Claim) -> tuple[int, int]:
    """(place, claims in the batch): priority enterprises come first, then submission order (R6). While the
    window is open priority follows the current tags; after allocation, what the allocation used."""
    claims = Claim.objects.filter(batch_id=claim.batch_id)
    if claim.batch.status == Batch.Status.OPEN:
        tagged = Enterprise.priority_tags.through.objects.filter(enterprise_id=OuterRef("enterprise_id"))
        claims = claims.annotate(p=Exists(tagged))
        mine = claim.enterprise.priority_tags.exists()
    else:
        claims = claims.annotate(p=F("priority"))
        mine = claim.priority
    counts = claims.aggregate(
        total=Count("id"),
        priority=Count("id", filter=Q(p=True)),
        same=Count("id", filter=Q(p=mine, pk__lte=claim.pk)),
    )
    ahead = 0 if mine else counts["priority"]  # every priority claim comes before a non-priority one
    return ahead + counts["same"], counts["total"]


@dataclass
class WalletView:
    batch: Batch
    claim: Claim
    wallet_fen: int = 0
    escrow_fen: int = 0
    order_deadline: datetime | None = None
    expires_at: datetime | None = None
    usable_fen: int = 0
    state: str = ""
    history: list = field(default_factory=list)


def wallets_of(enterprise: Enterprise, *, with_history: bool = False) -> list[WalletView]:
    """What the enterprise holds per batch and until when. Deadlines apply on read: a wallet past its order
    deadline (R8) or the validity end (R10) shows nothing usable, whether or not the sweep has run."""
    now = clock.now()
    claims = (
        Claim.objects.filter(enterprise=enterprise)
        .exclude(batch__status__in=[Batch.Status.DRAFT])
        .select_related("batch", "batch__city")
        .order_by("-batch__claim_start")
    )
    accounts = LedgerAccount.objects.filter(enterprise=enterprise, kind__in=["wallet", "escrow"])
    balances: dict[int, dict[str, int]] = {}
    wallet_ids = {}
    for acc in accounts:
        balances.setdefault(acc.batch_id, {"wallet": 0, "escrow": 0})[acc.kind] += acc.balance_fen
        if acc.kind == "wallet":
            wallet_ids[acc.batch_id] = acc.pk
    views = []
    for claim in claims:
        batch = claim.batch
        held = balances.get(batch.pk, {"wallet": 0, "escrow": 0})
        view = WalletView(batch=batch, claim=claim, wallet_fen=held["wallet"], escrow_fen=held["escrow"])
        view.order_deadline = claim.order_deadline
        view.expires_at = batch.expires_at
        if claim.order_deadline is None:
            view.state = "waiting"
        elif now > batch.expires_at:
            view.state = "expired"
        elif now > claim.order_deadline:
            view.state = "order_deadline_passed"
        else:
            view.state = "usable"
            view.usable_fen = view.wallet_fen
        if with_history and batch.pk in wallet_ids:
            view.history = list(
                LedgerEntry.objects.filter(account_id=wallet_ids[batch.pk])
                .select_related("transaction")
                .order_by("-transaction__created_at", "-id")
            )
        views.append(view)
    return views


def ledger_transactions_visible_to(user) -> QuerySet[LedgerTransaction]:
    """The ledger is for the units: a city unit sees its city's batches, the province all."""
    if not user.has_perm("vouchers.view_ledger"):
        return LedgerTransaction.objects.none()
    base = LedgerTransaction.objects.select_related("batch").prefetch_related("entries__account")
    if access.is_province_unit(user):
        return base
    return base.filter(batch__city_id=user.organisation.city_id)


def ledger_problems() -> list[str]:
    """Every difference between the ledger (the truth) and the cached balances, and every broken invariant of
    DESIGN §4; an empty list means all is well."""
    problems = []
    unbalanced = LedgerEntry.objects.values("transaction_id").annotate(s=Sum("amount_fen")).exclude(s=0)
    for row in unbalanced:
        problems.append(f"transaction {row['transaction_id']}: entries sum to {row['s']}, not zero")
    sums = dict(LedgerEntry.objects.values_list("account_id").annotate(s=Sum("amount_fen")))
    for acc in LedgerAccount.objects.all().iterator(chunk_size=2000):
        expected = acc.opening_fen + sums.get(acc.pk, 0)
        if expected != acc.balance_fen:
            problems.append(
                f"account {acc.pk} ({acc.kind}, batch {acc.batch_id}): cached balance {acc.balance_fen}, "
                f"ledger says {expected}"
            )
        if expected < 0:
            problems.append(f"account {acc.pk} ({acc.kind}, batch {acc.batch_id}): negative balance {expected}")
    totals = LedgerAccount.objects.values("batch_id").annotate(s=Sum("balance_fen"), opening=Sum("opening_fen"))
    for row in totals:
        batch_total = Batch.objects.filter(pk=row["batch_id"]).values_list("total_fen", flat=True).get()
        if row["opening"] != batch_total or row["s"] != batch_total:
            problems.append(
                f"batch {row['batch_id']}: accounts hold {row['s']} (opening {row['opening']}), total is {batch_total}"
            )
    return problems


# To-do filters: the workbench cards and the lists they link to apply the same ones (issue 13).


def claimable_q(enterprise_id: int | None) -> Q:
    """Batches whose claim window is open now and that the enterprise has not claimed from yet (R6)."""
    now = clock.now()
    claimed = Claim.objects.filter(batch_id=OuterRef("pk"), enterprise_id=enterprise_id)
    return Q(status=Batch.Status.OPEN, claim_start__lte=now, claim_end__gt=now) & ~Q(Exists(claimed))


def to_allocate_q() -> Q:
    """Open batches whose claim window has closed: the city unit allocates them."""
    return Q(status=Batch.Status.OPEN, claim_end__lte=clock.now())


def claims_of(enterprise: Enterprise | None) -> QuerySet[Claim]:
    return Claim.objects.filter(enterprise=enterprise) if enterprise else Claim.objects.none()


def usable_wallet_q() -> Q:
    """Claims whose wallet still holds vouchers that may be put into an order: before the R8 order deadline and
    the R10 validity end (the wallet page's "usable" state with a balance)."""
    funded = LedgerAccount.objects.filter(
        kind=LedgerAccount.Kind.WALLET,
        batch_id=OuterRef("batch_id"),
        enterprise_id=OuterRef("enterprise_id"),
        balance_fen__gt=0,
    )
    return Q(order_deadline__gte=clock.now(), batch__validity_end__gte=clock.today()) & Q(Exists(funded))


def batches_open_or_next(*, city_id: int | None = None, limit: int = 5) -> list[Batch]:
    """For the home page: the batches whose claim window is open now, or else those opening next (published
    batches only), for one city or every city."""
    now = clock.now()
    published = Batch.objects.select_related("city").filter(status=Batch.Status.OPEN)
    if city_id is not None:
        published = published.filter(city_id=city_id)
    open_now = list(published.filter(claim_start__lte=now, claim_end__gt=now).order_by("claim_end", "pk")[:limit])
    if open_now:
        return open_now
    return list(published.filter(claim_start__gt=now).order_by("claim_start", "pk")[:limit])


def batches_filtered(filters, batches: QuerySet[Batch]) -> QuerySet[Batch]:
    """The batch list's search and status filter (a `core.lists.ListFilterForm`), as its page and its API offer
    them: text in the batch's name."""
    return filters.apply(batches, search=("name",))
