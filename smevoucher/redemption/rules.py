"""Who may see redemption applications (CONVENTIONS §6): the provider its own, the issuing city's unit those
submitted to it. Who may take each step is checked by the service."""

import rules

from smevoucher.core import access


@rules.predicate
def is_applicant(user, application) -> bool:
    return application is not None and access.belongs_to(user, application.provider.organisation_id)


@rules.predicate
def is_issuing_unit(user, application) -> bool:
    return (
        application is not None
        and access.is_city_unit(user)
        and user.organisation.city_id == application.city_id
        and application.submitted_at is not None
    )


rules.add_perm("redemption.list_applications", access.is_provider_user | access.is_city_unit)
rules.add_perm("redemption.apply", access.is_provider_user)
rules.add_perm("redemption.view_application", is_applicant | is_issuing_unit)
rules.add_perm("redemption.review", is_issuing_unit)
rules.add_perm("redemption.verify_code", access.is_city_unit)
rules.add_perm("redemption.publish_results", access.is_city_unit)
