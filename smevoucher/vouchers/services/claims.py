"""The claim window (R6): the rush path."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from smevoucher.core import audit, clock, traces
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.money import format_yuan
from smevoucher.enterprises.models import Enterprise

from ..errors import ClaimWindowClosed, NotEligible, QuotaExceeded
from ..models import DEFAULT_ANNUAL_QUOTA_FEN, Batch, Claim


def claim_submit(*, actor, batch_id: int, amount_fen: int) -> tuple[Claim, bool]:
    """An approved enterprise of the batch's city requests `amount_fen` while the window is open (R6).

    Returns (claim, created). Built for the opening-minute rush: one short transaction that locks only the
    enterprise's own row (so its claims in different batches cannot together pass its annual quota), never a
    shared row; the unique constraint (enterprise, batch) guarantees one claim per batch, and a repeated
    submission (double click, retry) returns the existing claim unchanged.
    """
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise ValidationFailed(fields={"amount_fen": [_("Enter an amount above zero.")]})
    try:
        with transaction.atomic():
            return _submit(actor=actor, batch_id=batch_id, amount_fen=amount_fen)
    except IntegrityError:
        # Only a simultaneous submission by the same enterprise gets here (the unique constraint decided).
        existing = Claim.objects.filter(enterprise__organisation_id=actor.organisation_id, batch_id=batch_id).first()
        if existing is None:
            raise
        return existing, False


# Allocation cannot start before the window's end; a claim that finishes well before it needs no re-check (the
# margin covers clock differences between application servers).
RECHECK_MARGIN = timedelta(minutes=1)


RUSH_READ = """
SELECT e.id, e.status, b.status,
       b.claim_start <= %(now)s AND %(now)s < b.claim_end,
       b.claim_end <= %(recheck)s,
       b.year,
       (SELECT q.annual_quota_fen FROM vouchers_quotasetting q WHERE q.city_id = b.city_id AND q.year = b.year),
       CAST((SELECT SUM(c.quota_fen) FROM vouchers_claim c WHERE c.enterprise_id = e.id AND c.year = b.year) AS BIGINT),
       (SELECT c.id FROM vouchers_claim c WHERE c.enterprise_id = e.id AND c.batch_id = b.id)
  FROM enterprises_enterprise e
  JOIN vouchers_batch b ON b.id = %(batch)s AND b.city_id = e.city_id AND b.status <> 'draft'
 WHERE e.organisation_id = %(organisation)s
"""


@dataclass
class RushRow:
    enterprise_id: int
    enterprise_status: str
    batch_status: str
    in_window: bool
    near_end: bool
    year: int
    annual_quota_fen: int | None
    used_fen: int | None
    existing_id: int | None


LOCK_ENTERPRISE = "SELECT id FROM enterprises_enterprise WHERE organisation_id = %(organisation)s"


def _rush_read(*, organisation_id: int, batch_id: int, now) -> RushRow | None:
    """The enterprise's own row, locked; then, in a statement of its own (so that it sees every claim committed
    while it waited for the lock), the batch's state and window, the city's quota for the batch's year, what the
    enterprise's claims of that year count against it and whether it claimed in this batch already. Written in
    SQL: on this hot path the ORM's compile time costs more than the queries. On PostgreSQL both statements go
    in one message, one round trip: each still takes its own snapshot (READ COMMITTED)."""
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM stores them (SQLite: UTC text)
    params = {
        "now": adapt(now),
        "recheck": adapt(now + RECHECK_MARGIN),
        "batch": batch_id,
        "organisation": organisation_id,
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{LOCK_ENTERPRISE} FOR UPDATE; {RUSH_READ}", params)
            cursor.nextset()  # the read's result
        else:
            cursor.execute(RUSH_READ, params)
        row = cursor.fetchone()
    return None if row is None else RushRow(*row[:3], bool(row[3]), bool(row[4]), *row[5:])


INSERT_CLAIM = """
WITH claim AS (
  INSERT INTO vouchers_claim (batch_id, enterprise_id, year, amount_fen, allocated_fen, quota_fen, quota_returned_fen,
                              status, priority, submitted_at, submitted_by_id)
  VALUES (%s, %s, %s, %s, 0, %s, 0, 'waiting', false, %s, %s) RETURNING id
), event AS ({audit}){trace}
SELECT id FROM claim
"""


def _insert(*, actor, batch_id: int, row: RushRow, amount_fen: int, now) -> Claim:
    """The claim, its audit row (claim.submitted) and its action trace (issue 17). On PostgreSQL in one statement:
    on the rush path each round trip counts. Elsewhere the ORM's inserts."""
    values = {
        "batch_id": batch_id,
        "enterprise_id": row.enterprise_id,
        "year": row.year,
        "amount_fen": amount_fen,
        "quota_fen": amount_fen,
        "submitted_at": now,
        "submitted_by": actor,
    }
    after = {"batch": batch_id, "amount_fen": amount_fen}
    if connection.vendor != "postgresql":
        claim = Claim.objects.create(**values)
        audit.record(actor, "claim.submitted", claim, after=after)
        traces.record(actor, traces.CLAIM)
        return claim
    audit_sql, audit_params = audit.insert_from(actor, "claim.submitted", Claim, source="claim", after=after)
    params = [batch_id, row.enterprise_id, row.year, amount_fen, amount_fen, now, actor.pk, *audit_params]
    trace = traces.insert_sql(actor, traces.CLAIM)
    trace_sql = ""
    if trace is not None:
        trace_sql = f", trace AS ({trace[0]})"
        params += trace[1]
    with connection.cursor() as cursor:
        cursor.execute(INSERT_CLAIM.format(audit=audit_sql, trace=trace_sql), params)
        (claim_id,) = cursor.fetchone()
    claim = Claim(pk=claim_id, **values)  # what the row holds: the values above and the model's defaults
    claim._state.adding, claim._state.db = False, connection.alias
    return claim


def _submit(*, actor, batch_id: int, amount_fen: int) -> tuple[Claim, bool]:
    now = clock.now()
    row = _rush_read(organisation_id=actor.organisation_id, batch_id=batch_id, now=now)
    if row is None:
        raise Http404  # not an enterprise, or not a published batch of its city: answered like a missing batch
    if row.enterprise_status != Enterprise.Status.APPROVED:
        raise NotEligible()
    if row.existing_id is not None:
        return Claim.objects.get(pk=row.existing_id), False  # a retry finds its claim: not an error
    if row.batch_status != Batch.Status.OPEN or not row.in_window:
        raise ClaimWindowClosed()
    annual = DEFAULT_ANNUAL_QUOTA_FEN if row.annual_quota_fen is None else row.annual_quota_fen
    remaining = annual - (row.used_fen or 0)
    if amount_fen > remaining:
        left = format_yuan(max(remaining, 0))
        raise QuotaExceeded(
            _("The amount is more than the remaining annual quota of %(remaining)s.") % {"remaining": left},
            fields={"amount_fen": [_("At most %(remaining)s.") % {"remaining": left}]},
        )
    claim = _insert(actor=actor, batch_id=batch_id, row=row, amount_fen=amount_fen, now=now)
    # The insert holds a key-share lock on the batch row, so no allocation can commit from here on. One that
    # committed between the read and the insert is possible only at the window's end: re-read the state there.
    if row.near_end and not Batch.objects.filter(pk=batch_id, status=Batch.Status.OPEN).exists():
        raise ClaimWindowClosed()  # rolls back the claim, its audit row and its trace
    return claim, True
