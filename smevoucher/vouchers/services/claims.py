"""The claim window (R6): the rush path."""

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Max, OuterRef, Subquery, Sum, When
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils.translation import gettext as _

from smevoucher.core import audit, clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.money import format_yuan
from smevoucher.enterprises.models import Enterprise

from ..errors import ClaimWindowClosed, NotEligible, QuotaExceeded
from ..models import DEFAULT_ANNUAL_QUOTA_FEN, Batch, Claim, QuotaSetting


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


def _submit(*, actor, batch_id: int, amount_fen: int) -> tuple[Claim, bool]:
    # 1. The enterprise's own row, locked: serialises this enterprise's claims only.
    enterprise = (
        Enterprise.objects.select_for_update()
        .only("id", "city_id", "status")
        .filter(organisation_id=actor.organisation_id)
        .first()
    )
    if enterprise is None:
        raise Http404  # not an enterprise user: answered like a missing batch
    # 2. The batch (of its own city, published) with the city's quota for the batch's year, in one read.
    quota = QuotaSetting.objects.filter(city_id=OuterRef("city_id"), year=OuterRef("quota_year"))
    batch = (
        Batch.objects.filter(pk=batch_id, city_id=enterprise.city_id)
        .exclude(status=Batch.Status.DRAFT)
        .annotate(quota_year=ExtractYear("claim_start"))
        .annotate(annual_quota_fen=Subquery(quota.values("annual_quota_fen")[:1]))
        .only("id", "status", "claim_start", "claim_end", "city_id")
        .first()
    )
    if batch is None:
        raise Http404
    if enterprise.status != Enterprise.Status.APPROVED:
        raise NotEligible()
    # 3. Its claims this year: what they count against the quota, and whether this batch has one already.
    used = Claim.objects.filter(enterprise_id=enterprise.pk, year=batch.quota_year).aggregate(
        used=Sum("quota_fen"),
        existing=Max(Case(When(batch_id=batch.pk, then="id"), output_field=IntegerField())),
    )
    if used["existing"] is not None:
        return Claim.objects.get(pk=used["existing"]), False  # a retry finds its claim: not an error
    if batch.window_state(clock.now()) != "open":
        raise ClaimWindowClosed()
    annual = DEFAULT_ANNUAL_QUOTA_FEN if batch.annual_quota_fen is None else batch.annual_quota_fen
    remaining = annual - (used["used"] or 0)
    if amount_fen > remaining:
        raise QuotaExceeded(
            _("The amount is more than the remaining annual quota of %(remaining)s.")
            % {"remaining": format_yuan(max(remaining, 0))},
            fields={"amount_fen": [_("At most %(remaining)s.") % {"remaining": format_yuan(max(remaining, 0))}]},
        )
    claim = Claim.objects.create(
        batch_id=batch.pk,
        enterprise_id=enterprise.pk,
        year=batch.quota_year,
        amount_fen=amount_fen,
        quota_fen=amount_fen,
        submitted_at=clock.now(),
        submitted_by=actor,
    )
    # 4. The insert holds a key-share lock on the batch row, so an allocation cannot commit from here on;
    # re-reading the state closes the gap to one that committed between step 2 and the insert.
    if not Batch.objects.filter(pk=batch.pk, status=Batch.Status.OPEN).exists():
        raise ClaimWindowClosed()
    audit.record(actor, "claim.submitted", claim, after={"batch": batch.pk, "amount_fen": amount_fen})
    return claim, True
