"""R19, the policy numbers: the provider cap share (R7), the order and contract deadlines (R8, R9) and the
coverage limit (R11). The province sets them per year, for every city or for one city whose own notice differs;
each change is a new PolicySetting row (the older ones are the history) and an audit event. A batch copies the
values in force when it opens (Batch.cap_bp, order_deadline_days, contract_deadline_days, coverage_limit_bp),
and every rule reads the batch's copy. `policy_for` is the one place that says which values apply.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from smevoucher.accounts.models import City
from smevoucher.core import access, audit, clock
from smevoucher.core.errors import ValidationFailed

from ..models import (
    DEFAULT_CAP_BP,
    DEFAULT_CONTRACT_DEADLINE_DAYS,
    DEFAULT_COVERAGE_LIMIT_BP,
    DEFAULT_ORDER_DEADLINE_DAYS,
    Batch,
    PolicySetting,
)

FIELDS = ("cap_bp", "order_deadline_days", "contract_deadline_days", "coverage_limit_bp")
MAX_DAYS = 366


@dataclass(frozen=True)
class Policy:
    cap_bp: int = DEFAULT_CAP_BP
    order_deadline_days: int = DEFAULT_ORDER_DEADLINE_DAYS
    contract_deadline_days: int = DEFAULT_CONTRACT_DEADLINE_DAYS
    coverage_limit_bp: int = DEFAULT_COVERAGE_LIMIT_BP
    source: str = "default"  # "default", "province" or "city": where the values come from

    @property
    def coverage_percent(self) -> float:
        return self.coverage_limit_bp / 100


def _values(setting: PolicySetting, source: str) -> Policy:
    return Policy(**{field: getattr(setting, field) for field in FIELDS}, source=source)


def policy_for(city_id: int | None, year: int) -> Policy:
    """The values in force for a city and year: the city's own if the province set any, else the province's,
    else the defaults (10 %, 30 days, 30 days, 50 %). With city_id None: the province-wide values."""
    newest = PolicySetting.objects.filter(year=year).order_by("-set_at", "-id")
    own = newest.filter(city_id=city_id).first() if city_id else None
    if own is not None:
        return _values(own, "city")
    province = newest.filter(city__isnull=True).first()
    if province is not None:
        return _values(province, "province")
    return Policy()


def policy_history(*, city_id: int | None = None, year: int | None = None):
    """Every saved version, newest first (the history the settings page and the API show)."""
    rows = PolicySetting.objects.select_related("city", "set_by")
    if year is not None:
        rows = rows.filter(year=year)
    if city_id is not None:
        rows = rows.filter(city_id=city_id)
    return rows.order_by("-year", F("city__code").asc(nulls_first=True), "-set_at", "-id")  # province first


def _validate(values: dict, year, reason: str) -> None:
    errors: dict[str, list[str]] = {}

    def whole(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not whole(year) or not 2000 <= year <= 2100:
        errors["year"] = [_("Enter a year.")]
    for field in ("cap_bp", "coverage_limit_bp"):
        if not whole(values[field]) or not 0 < values[field] <= 10000:
            errors[field] = [_("Enter a share between 0.01 and 100 percent.")]
    for field in ("order_deadline_days", "contract_deadline_days"):
        if not whole(values[field]) or not 0 < values[field] <= MAX_DAYS:
            errors[field] = [_("Enter a number of days between 1 and %(most)s.") % {"most": MAX_DAYS}]
    if not reason:
        errors["reason"] = [_("Say why, for example the notice that sets these values.")]
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def policy_set(
    *,
    actor,
    year: int,
    cap_bp: int,
    order_deadline_days: int,
    contract_deadline_days: int,
    coverage_limit_bp: int,
    reason: str,
    city_id: int | None = None,
) -> PolicySetting:
    """The province unit sets the policy numbers for a year, province-wide or (city_id) for one city. Batches
    already open keep theirs; drafts and batches opened from now on take the new values. Audited."""
    if not actor.has_perm("vouchers.set_policy"):
        raise access.Http404
    values = {
        "cap_bp": cap_bp,
        "order_deadline_days": order_deadline_days,
        "contract_deadline_days": contract_deadline_days,
        "coverage_limit_bp": coverage_limit_bp,
    }
    reason = (reason or "").strip()[:300]
    _validate(values, year, reason)
    city = None
    if city_id is not None:
        city = City.objects.filter(pk=city_id).first()
        if city is None:
            raise ValidationFailed(fields={"city": [_("Choose a city.")]})
    before = policy_for(city_id, year)
    setting = PolicySetting.objects.create(
        city=city, year=year, reason=reason, set_by=actor, set_at=clock.now(), **values
    )
    # Drafts show and use what would apply if they opened now; open batches keep their copy.
    drafts = Batch.objects.filter(year=year, status=Batch.Status.DRAFT)
    drafts = drafts.filter(city_id=city_id) if city_id else drafts.exclude(city_id__in=_cities_with_own(year))
    drafts.update(cap_bp=cap_bp, order_deadline_days=order_deadline_days, contract_deadline_days=contract_deadline_days)
    audit.record(
        actor,
        "policy.set",
        setting,
        before={field: getattr(before, field) for field in FIELDS} | {"source": before.source},
        after=values | {"city": city.code if city else None, "year": year},
        reason=reason,
    )
    return setting


def _cities_with_own(year: int) -> list[int]:
    return list(
        PolicySetting.objects.filter(year=year, city__isnull=False).values_list("city_id", flat=True).distinct()
    )


def batch_take_policy(batch: Batch) -> None:
    """Copy the values in force for the batch's city and year onto it (the caller saves). The coverage limit is
    the unit's choice per batch (R11), at most the policy's: a higher one is refused."""
    policy = policy_for(batch.city_id, batch.year)
    batch.cap_bp = policy.cap_bp
    batch.order_deadline_days = policy.order_deadline_days
    batch.contract_deadline_days = policy.contract_deadline_days
    if batch.coverage_limit_bp is None:
        batch.coverage_limit_bp = policy.coverage_limit_bp
    elif batch.coverage_limit_bp > policy.coverage_limit_bp:
        raise ValidationFailed(
            fields={
                "coverage_limit_bp": [
                    _("The coverage limit may be at most %(most)s%% of the invoice this year.")
                    % {"most": f"{policy.coverage_percent:g}"}
                ]
            }
        )
