import rules

from smevoucher.core import access


@rules.predicate
def is_owner(user, document) -> bool:
    return document is not None and access.belongs_to(user, document.organisation_id)


@rules.predicate
def unit_covers_owner(user, document) -> bool:
    return document is not None and access.unit_covers_city(user, document.organisation.city_id)


@rules.predicate
def is_shared_with_user(user, document) -> bool:
    return (
        document is not None
        and getattr(user, "organisation_id", None) is not None
        and document.shared_with.filter(pk=user.organisation_id).exists()
    )


rules.add_perm("documents.view_document", is_owner | unit_covers_owner | is_shared_with_user)
rules.add_perm("documents.replace_document", is_owner)
rules.add_perm("documents.upload_document", access.is_enterprise_user | access.is_provider_user | access.is_unit_staff)
