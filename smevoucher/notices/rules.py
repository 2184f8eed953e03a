import rules

from smevoucher.core import access


@rules.predicate
def is_publisher(user, notice) -> bool:
    """The unit that published a notice manages it; the province unit manages every notice."""
    return notice is not None and (access.is_province_unit(user) or access.belongs_to(user, notice.publisher_id))


rules.add_perm("notices.publish_notice", access.is_unit_staff)
rules.add_perm("notices.change_notice", access.is_unit_staff & is_publisher)
rules.add_perm("notices.edit_contacts", access.is_unit_staff)
