"""The permission layer's vocabulary (DESIGN §1, CONVENTIONS §6).

Predicates for django-rules, used by every app's `rules.py`; objects are fetched through selectors that
call `user.has_perm(...)` and answer "not found" when it is refused. Core imports no app: the user is
read by duck typing (`user.organisation.kind`, `.city_id`).
"""

import rules
from django.http import Http404

ENTERPRISE = "enterprise"
PROVIDER = "provider"
PROVINCE_UNIT = "province_unit"
CITY_UNIT = "city_unit"
UNIT_KINDS = {PROVINCE_UNIT, CITY_UNIT}


def organisation_kind(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    organisation = getattr(user, "organisation", None)
    return organisation.kind if organisation is not None else None


@rules.predicate
def is_enterprise_user(user) -> bool:
    return organisation_kind(user) == ENTERPRISE


@rules.predicate
def is_provider_user(user) -> bool:
    return organisation_kind(user) == PROVIDER


@rules.predicate
def is_unit_staff(user) -> bool:
    return organisation_kind(user) in UNIT_KINDS


@rules.predicate
def is_province_unit(user) -> bool:
    return organisation_kind(user) == PROVINCE_UNIT


@rules.predicate
def is_city_unit(user) -> bool:
    return organisation_kind(user) == CITY_UNIT


@rules.predicate
def is_org_admin(user) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(user, "role", None) == "admin"


def unit_covers_city(user, city_id) -> bool:
    """The province unit's remit is every city; a city unit's is its own city only."""
    kind = organisation_kind(user)
    if kind == PROVINCE_UNIT:
        return True
    return kind == CITY_UNIT and city_id is not None and user.organisation.city_id == city_id


def belongs_to(user, organisation_id) -> bool:
    return organisation_kind(user) is not None and user.organisation_id == organisation_id


def require(user, perm: str, obj=None):
    """Return obj if the user holds perm on it; otherwise answer exactly as if it did not exist."""
    if obj is None or not user.has_perm(perm, obj):
        raise Http404
    return obj
