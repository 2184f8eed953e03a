import rules

from smevoucher.core import access


@rules.predicate
def is_own_enterprise(user, enterprise) -> bool:
    return enterprise is not None and access.belongs_to(user, enterprise.organisation_id)


@rules.predicate
def unit_covers_enterprise(user, enterprise) -> bool:
    return enterprise is not None and access.unit_covers_city(user, enterprise.city_id)


rules.add_perm("enterprises.view_enterprise", is_own_enterprise | unit_covers_enterprise)
rules.add_perm("enterprises.change_enterprise", is_own_enterprise & access.is_org_admin)
rules.add_perm("enterprises.list_enterprises", access.is_unit_staff)


@rules.predicate
def is_enterprise_city_unit(user, enterprise) -> bool:
    """R0: an enterprise is reviewed by its own city's unit (the province unit sees, but does not decide)."""
    return enterprise is not None and access.is_city_unit(user) and access.unit_covers_city(user, enterprise.city_id)


rules.add_perm("enterprises.review_enterprise", is_enterprise_city_unit)
# Issue 17: enterprise change requests are decided by city units only (the workbench's queue card needs it).
rules.add_perm("enterprises.decide_change_requests", access.is_city_unit)
