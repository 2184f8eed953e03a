"""Batches (R6): create and edit a draft, open the claim window, allocate when it has closed, backfill
(递补) what comes back, close; the annual quota setting. One named function per transition."""

from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import CharField, Exists, F, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smevoucher.accounts.models import User
from smevoucher.core import access, audit, clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.money import format_yuan
from smevoucher.enterprises.models import Enterprise
from smevoucher.notices.models import Notice
from smevoucher.notices.services import notice_publish, notify, notify_each

from ..errors import WindowStillOpen
from ..models import Batch, Claim, LedgerAccount, LedgerTransaction, QuotaSetting
from .fill import fill
from .policy import FIELDS as POLICY_FIELDS
from .policy import batch_take_policy

MAX_TOTAL_FEN = 10**15  # ¥10 trillion: far beyond any batch, well inside a BigIntegerField

EDITABLE_FIELDS = (
    "name",
    "total_fen",
    "claim_start",
    "claim_end",
    "service_start",
    "service_end",
    "validity_end",
    "coverage_limit_bp",
    "partial_last",
)


def _batch_for_manager(*, actor, batch_id: int) -> Batch:
    """The batch, locked, if the actor's unit manages it; actor None is the system (a task or a command)."""
    batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
    if actor is None:
        if batch is None:
            raise Batch.DoesNotExist(batch_id)
        return batch
    return access.require(actor, "vouchers.manage_batch", batch)


def _validate(values: dict) -> None:
    errors: dict[str, list[str]] = {}
    total = values.get("total_fen")
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        errors["total_fen"] = [_("Enter a total amount above zero.")]
    elif total > MAX_TOTAL_FEN:
        errors["total_fen"] = [_("The amount is too large.")]
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Enter a name for the batch.")]
    start, end = values.get("claim_start"), values.get("claim_end")
    if not isinstance(start, datetime) or not isinstance(end, datetime) or start.tzinfo is None or end.tzinfo is None:
        errors["claim_end"] = [_("Enter when the claim window opens and closes.")]
    elif end <= start:
        errors["claim_end"] = [_("The claim window must close after it opens.")]
    service_start, service_end, validity_end = (
        values.get("service_start"),
        values.get("service_end"),
        values.get("validity_end"),
    )
    if not all(isinstance(d, date) for d in (service_start, service_end, validity_end)):
        errors["validity_end"] = [_("Enter the qualifying service period and the validity end.")]
    else:
        if service_end < service_start:
            errors["service_end"] = [_("The qualifying period must end on or after its first day.")]
        elif service_end > validity_end:  # R10/R11: a service completed after expiry could never be paid
            errors["service_end"] = [
                _("The qualifying period must end by the vouchers' validity end (%(day)s).")
                % {"day": validity_end.isoformat()}
            ]
        if isinstance(end, datetime) and validity_end < clock.deadline_after(end, 0).date():
            errors["validity_end"] = [_("The vouchers must stay valid at least until the claim window closes.")]
    bp = values.get("coverage_limit_bp")
    if bp is not None and (not isinstance(bp, int) or not 0 < bp <= 10000):
        errors["coverage_limit_bp"] = [_("The coverage limit is between 0.01 and 100 percent.")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def batch_create(
    *,
    actor,
    name: str,
    total_fen: int,
    claim_start: datetime,
    claim_end: datetime,
    service_start: date,
    service_end: date,
    validity_end: date,
    coverage_limit_bp: int | None = None,
    partial_last: bool = True,
) -> Batch:
    """R6: a city unit drafts a batch for its own city, with the policy in force for its city and year (R19);
    the coverage limit defaults to the policy's."""
    if not actor.has_perm("vouchers.add_batch"):
        raise access.Http404
    values = {
        "name": (name or "").strip(),
        "total_fen": total_fen,
        "claim_start": claim_start,
        "claim_end": claim_end,
        "service_start": service_start,
        "service_end": service_end,
        "validity_end": validity_end,
        "coverage_limit_bp": coverage_limit_bp,
        "partial_last": bool(partial_last),
    }
    _validate(values)
    batch = Batch(
        city_id=actor.organisation.city_id, created_by=actor, year=timezone.localtime(claim_start).year, **values
    )
    batch_take_policy(batch)
    batch.save()
    audit.record(actor, "batch.created", batch, after=_snapshot(batch))
    return batch


@transaction.atomic
def batch_update(*, actor, batch_id: int, **changes) -> Batch:
    """Edit a draft; once open its terms are fixed (enterprises rely on them)."""
    batch = _batch_for_manager(actor=actor, batch_id=batch_id)
    if batch.status != Batch.Status.DRAFT:
        raise Conflict(_("Only a draft batch can be edited."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = _snapshot(batch)
    values = {field: getattr(batch, field) for field in EDITABLE_FIELDS} | changes
    values["name"] = (values["name"] or "").strip()
    _validate(values)
    for field, value in values.items():
        setattr(batch, field, value)
    batch.year = timezone.localtime(batch.claim_start).year
    batch_take_policy(batch)
    batch.save(update_fields=[*EDITABLE_FIELDS, "year", *POLICY_FIELDS])
    audit.record(actor, "batch.updated", batch, before=before, after=_snapshot(batch))
    return batch


@transaction.atomic
def batch_open(*, actor, batch_id: int) -> Batch:
    """draft → open: the claim window is published and the pool holds the batch total (DESIGN §4)."""
    batch = _batch_for_manager(actor=actor, batch_id=batch_id)
    if batch.status == Batch.Status.OPEN:
        return batch
    if batch.status != Batch.Status.DRAFT:
        raise Conflict(_("This batch has already been opened."))
    if batch.claim_end <= clock.now():
        raise ValidationFailed(fields={"claim_end": [_("The claim window has already ended; change it first.")]})
    batch_take_policy(batch)  # R19: from now on the batch keeps the values in force today
    batch.status, batch.opened_at = Batch.Status.OPEN, clock.now()
    batch.save(update_fields=["status", "opened_at", *POLICY_FIELDS])
    LedgerAccount.objects.create(
        batch=batch, kind=LedgerAccount.Kind.POOL, opening_fen=batch.total_fen, balance_fen=batch.total_fen
    )
    policy = {field: getattr(batch, field) for field in POLICY_FIELDS}
    audit.record(actor, "batch.opened", batch, before={"status": "draft"}, after={"status": "open", **policy})
    publisher = _publisher(actor, batch)
    if publisher is not None:
        notice_publish(
            actor=publisher,
            category=Notice.Category.BATCH,
            city=batch.city,
            obj=batch,
            title=_("Voucher batch %(name)s: claims open") % {"name": batch.name},
            body=_(
                "Total %(total)s. Claim window: %(start)s to %(end)s. Qualifying service period: %(from)s to "
                "%(until)s. Valid until %(valid)s."
            )
            % {
                "total": format_yuan(batch.total_fen),
                "start": _local(batch.claim_start),
                "end": _local(batch.claim_end),
                "from": batch.service_start.isoformat(),
                "until": batch.service_end.isoformat(),
                "valid": batch.validity_end.isoformat(),
            },
        )
    return batch


def _order_deadline(batch: Batch, now: datetime) -> datetime:
    """R8: the batch's order deadline days after the window's end; a later backfill (递补) gets as many days from
    the day it is made."""
    return max(batch.order_deadline, clock.deadline_after(now, batch.order_deadline_days))


@transaction.atomic
def batch_allocate(*, actor, batch_id: int) -> Batch:
    """open → allocated once the window has closed (R6). The batch row is locked and its state re-read, so two
    simultaneous allocations cannot both apply; the pool's balance check means no fen is issued beyond the total.
    The fill is set-based (services/fill.py); results are published as a notice and sent to every applicant."""
    batch = _batch_for_manager(actor=actor, batch_id=batch_id)
    if batch.status in (Batch.Status.ALLOCATED, Batch.Status.CLOSED):
        return batch  # done already (a double click, a second worker)
    if batch.status != Batch.Status.OPEN:
        raise Conflict(_("Only an open batch can be allocated."))
    if clock.now() < batch.claim_end:
        raise WindowStillOpen()
    # Priority is decided by the tags the units set, as they stand when the window has closed.
    tagged = Enterprise.priority_tags.through.objects.filter(enterprise_id=OuterRef("enterprise_id"))
    claims = Claim.objects.filter(batch=batch)
    claims.filter(priority=False).filter(Exists(tagged)).update(priority=True)  # only the rows that change
    claims.filter(priority=True).exclude(Exists(tagged)).update(priority=False)
    filled = fill(batch=batch, kind=LedgerTransaction.Kind.ALLOCATION, actor=actor, deadline=batch.order_deadline)
    batch.status, batch.allocated_at = Batch.Status.ALLOCATED, clock.now()
    batch.save(update_fields=["status", "allocated_at"])
    audit.record(
        actor,
        "batch.allocated",
        batch,
        before={"status": "open"},
        after={
            "status": "allocated",
            "claims": Claim.objects.filter(batch=batch).count(),
            "allocated_claims": filled.claims,
            "allocated_fen": filled.fen,
        },
    )
    _publish_results(actor, batch)
    return batch


def _publish_results(actor, batch: Batch) -> None:
    lines = [
        _("Allocation results of %(name)s (total %(total)s):")
        % {"name": batch.name, "total": format_yuan(batch.total_fen)}
    ]
    allocated = (
        Claim.objects.filter(batch=batch, allocated_fen__gt=0)
        .order_by("-priority", "id")  # the allocation order (R6)
        .values_list("enterprise__organisation__name", "allocated_fen")
    )
    rank = 0
    for rank, (name, fen) in enumerate(allocated.iterator(chunk_size=5000), start=1):
        lines.append(f"{rank}. {name}　{format_yuan(fen)}")
    waiting = Claim.objects.filter(batch=batch, allocated_fen__lt=F("amount_fen")).count()
    if rank == 0:
        lines.append(_("No claims were allocated."))
    if waiting:
        lines.append(_("%(count)s claims wait for vouchers that come back (backfill).") % {"count": waiting})
    publisher = _publisher(actor, batch)
    if publisher is not None:
        notice_publish(
            actor=publisher,
            category=Notice.Category.ALLOCATION,
            city=batch.city,
            obj=batch,
            title=_("Allocation results: %(name)s") % {"name": batch.name},
            body="\n".join(lines),
        )
    deadline = _local(batch.order_deadline)
    allocated_text = _("%(name)s: you were allocated %(amount)s. Use them in an order by %(deadline)s.")
    waiting_text = _("%(name)s: the total was used up before your claim; it waits for vouchers that come back.")

    def body(allocated: int) -> str:
        if allocated:
            return allocated_text % {"name": batch.name, "amount": format_yuan(allocated), "deadline": deadline}
        return waiting_text % {"name": batch.name}

    _notify_claims(
        Claim.objects.filter(batch=batch).annotate(fen=F("allocated_fen")),
        event="claim.allocated",
        title=_("Voucher allocation results"),
        body=body,
    )


def _notify_claims(claims, *, event: str, title: str, body) -> int:
    """One notification per active user of each claim's enterprise, made set-based (notices.notify_each): `claims`
    are annotated with `fen`, the amount their text states, and `body(fen)` renders it once per distinct amount."""
    rows = (
        claims.filter(enterprise__organisation__users__is_active=True)
        .order_by()
        .values_list("enterprise__organisation__users__pk", "fen", Cast("pk", output_field=CharField()))
    )
    bodies = {fen: body(fen) for fen in claims.order_by().values_list("fen", flat=True).distinct()}
    return notify_each(
        rows, event=event, title=title, bodies=bodies, url=reverse("vouchers:wallet"), object_type="vouchers.claim"
    )


def notify_claim(claim: Claim, **kwargs) -> None:
    notify(claim.enterprise.organisation.users.filter(is_active=True), obj=claim, **kwargs)


def _publisher(actor, batch: Batch):
    """Who signs a notice: the acting unit member, or for the system a member of the batch's city unit."""
    if actor is not None and access.is_unit_staff(actor):
        return actor
    return (
        User.objects.filter(organisation__kind=access.CITY_UNIT, organisation__city_id=batch.city_id, is_active=True)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )


# The claims a backfill's ledger transaction gave something, with what each was given: read from its entries by a
# join (a per-claim subquery would scan the transaction's entries once per claim).
BACKFILLED = """
SELECT c.id AS object_id, e.amount_fen AS fen, c.enterprise_id
  FROM vouchers_ledgerentry e
  JOIN vouchers_ledgeraccount a ON a.id = e.account_id
  JOIN vouchers_claim c ON c.batch_id = a.batch_id AND c.enterprise_id = a.enterprise_id
 WHERE e.transaction_id = %s AND e.amount_fen > 0
"""
# Their recipients for notices.notify_each: (user id, body key, object id) per active user of each enterprise.
BACKFILLED_RECIPIENTS = f"""
SELECT u.id, b.fen, CAST(b.object_id AS TEXT)
  FROM ({BACKFILLED}) AS b
  JOIN enterprises_enterprise en ON en.id = b.enterprise_id
  JOIN accounts_user u ON u.organisation_id = en.organisation_id AND u.is_active
"""  # noqa: S608 (constants)


@transaction.atomic
def batch_backfill(*, actor, batch_id: int) -> int:
    """递补 (R6): what came back to the pool goes to the waiting claims in the same order, in a transaction of its
    own (batch → pool → wallets, the one lock order). Claims whose own deadline has passed get nothing more; a
    closed or expired batch backfills nothing. Running it again finds nothing left to do. Returns the claims
    given something."""
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    now = clock.now()
    if batch.status != Batch.Status.ALLOCATED or now > batch.expires_at:
        return 0
    deadline = _order_deadline(batch, now)
    filled = fill(batch=batch, kind=LedgerTransaction.Kind.BACKFILL, actor=actor, deadline=deadline, waiting_since=now)
    if filled.transaction is None:
        return 0
    params = [filled.transaction.pk]
    audit.record_select(actor, "claim.backfilled", Claim, BACKFILLED, params, after=("fen",))
    text = _("%(name)s: you were allocated %(amount)s more. Use them in an order by %(deadline)s.")
    local_deadline = _local(deadline)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT fen FROM ({BACKFILLED}) AS b", params)  # noqa: S608
        amounts = [fen for (fen,) in cursor.fetchall()]
    notify_each(
        (BACKFILLED_RECIPIENTS, params),
        event="claim.backfilled",
        title=_("Vouchers allocated from the waiting list"),
        bodies={
            fen: text % {"name": batch.name, "amount": format_yuan(fen), "deadline": local_deadline} for fen in amounts
        },
        url=reverse("vouchers:wallet"),
        object_type="vouchers.claim",
    )
    return filled.claims


@transaction.atomic
def batch_close(*, actor, batch_id: int) -> Batch:
    """allocated → closed: no more backfill. What a claim never received stops counting against the annual
    quota (R6); allocated vouchers keep their deadlines."""
    batch = _batch_for_manager(actor=actor, batch_id=batch_id)
    if batch.status == Batch.Status.CLOSED:
        return batch
    if batch.status != Batch.Status.ALLOCATED:
        raise Conflict(_("Only an allocated batch can be closed."))
    claims = list(Claim.objects.select_for_update().filter(batch=batch).order_by("pk"))
    for claim in claims:
        claim.quota_fen = max(claim.allocated_fen - claim.quota_returned_fen, 0)
        if claim.allocated_fen == 0:
            claim.status = Claim.Status.UNSUCCESSFUL
    Claim.objects.bulk_update(claims, ["quota_fen", "status"], batch_size=500)
    batch.status, batch.closed_at = Batch.Status.CLOSED, clock.now()
    batch.save(update_fields=["status", "closed_at"])
    audit.record(actor, "batch.closed", batch, before={"status": "allocated"}, after={"status": "closed"})
    return batch


def quota_for(city_id: int, year: int) -> QuotaSetting:
    """The city's setting for the year, or the default (¥20,000, reclaims give quota back) when none is saved."""
    setting = QuotaSetting.objects.filter(city_id=city_id, year=year).first()
    return setting or QuotaSetting(city_id=city_id, year=year)


@transaction.atomic
def quota_set(*, actor, year: int, annual_quota_fen: int, reclaim_gives_back_quota: bool = True) -> QuotaSetting:
    """A city unit sets its city's annual quota per enterprise for a year (R6); audited with before and after."""
    if not actor.has_perm("vouchers.set_quota"):
        raise access.Http404
    errors = {}
    if not isinstance(annual_quota_fen, int) or isinstance(annual_quota_fen, bool) or annual_quota_fen < 0:
        errors["annual_quota_fen"] = [_("Enter an amount of zero or more.")]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = [_("Enter a year.")]
    if errors:
        raise ValidationFailed(fields=errors)
    city_id = actor.organisation.city_id
    setting, _created = QuotaSetting.objects.select_for_update().get_or_create(city_id=city_id, year=year)
    before = {
        "annual_quota_fen": setting.annual_quota_fen,
        "reclaim_gives_back_quota": setting.reclaim_gives_back_quota,
    }
    setting.annual_quota_fen, setting.reclaim_gives_back_quota = annual_quota_fen, bool(reclaim_gives_back_quota)
    setting.save()
    after = {"annual_quota_fen": setting.annual_quota_fen, "reclaim_gives_back_quota": setting.reclaim_gives_back_quota}
    audit.record(actor, "quota.set", setting, before=before, after=after)
    return setting


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _snapshot(batch: Batch) -> dict:
    return {field: getattr(batch, field) for field in EDITABLE_FIELDS} | {"city": batch.city_id}
