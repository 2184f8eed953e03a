import rules

from smevoucher.core import access


@rules.predicate
def is_complainant(user, complaint) -> bool:
    return complaint is not None and access.belongs_to(user, complaint.enterprise.organisation_id)


@rules.predicate
def is_issuing_city_unit(user, complaint) -> bool:
    """A complaint goes to the unit of the city that issued the order's vouchers."""
    return complaint is not None and access.is_city_unit(user) and user.organisation.city_id == complaint.city_id


rules.add_perm("feedback.view_complaint", is_complainant | is_issuing_city_unit | access.is_province_unit)
rules.add_perm("feedback.answer_complaint", is_issuing_city_unit)
rules.add_perm("feedback.list_complaints", access.is_enterprise_user | access.is_unit_staff)
