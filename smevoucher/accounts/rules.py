import rules

from smevoucher.core import access


@rules.predicate
def is_member(user, organisation) -> bool:
    return organisation is not None and access.belongs_to(user, organisation.pk)


@rules.predicate
def unit_covers_organisation(user, organisation) -> bool:
    return organisation is not None and access.unit_covers_city(user, organisation.city_id)


rules.add_perm("accounts.view_organisation", is_member | unit_covers_organisation)
rules.add_perm("accounts.manage_members", is_member & access.is_org_admin)
