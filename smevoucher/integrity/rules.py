"""Who may see and decide risk flags: units only; a city unit its own city, the province unit every city (it
reads them all; the city's unit decides)."""

import rules

from smevoucher.core import access


@rules.predicate
def unit_covers_flag(user, flag) -> bool:
    return flag is not None and access.unit_covers_city(user, flag.city_id)


@rules.predicate
def city_unit_of_flag(user, flag) -> bool:
    return flag is not None and access.organisation_kind(user) == access.CITY_UNIT and unit_covers_flag(user, flag)


rules.add_perm("integrity.list_flags", access.is_unit_staff)
rules.add_perm("integrity.view_flag", unit_covers_flag)
rules.add_perm("integrity.decide_flag", city_unit_of_flag)
