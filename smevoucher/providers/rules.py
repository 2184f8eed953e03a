import rules

from smevoucher.core import access
from smevoucher.directory.models import CITY_LEVELS


def reviewing_city_id(provider):
    """R4: None when the province unit reviews (national and provincial platforms), else the city whose unit
    reviews (Guangzhou for municipal platforms and stations: the entry's city)."""
    return provider.city_id if provider.level in CITY_LEVELS else None


@rules.predicate
def is_own_provider(user, provider) -> bool:
    return provider is not None and access.belongs_to(user, provider.organisation_id)


@rules.predicate
def is_reviewing_unit(user, provider) -> bool:
    """R4: the province unit for national and provincial providers; the city unit for the others."""
    if provider is None:
        return False
    city_id = reviewing_city_id(provider)
    if city_id is None:
        return access.is_province_unit(user)
    return access.is_city_unit(user) and user.organisation.city_id == city_id


# The province unit sees everything (DESIGN §1); a city unit sees the registrations it reviews.
rules.add_perm("providers.view_provider", is_own_provider | is_reviewing_unit | access.is_province_unit)
rules.add_perm("providers.review_provider", is_reviewing_unit)
rules.add_perm("providers.change_provider", is_own_provider & access.is_org_admin)
rules.add_perm("providers.list_providers", access.is_unit_staff)
# Manual 三: the reviewing unit (R4) suspends and reinstates; the province unit may act on any provider.
rules.add_perm("providers.sanction_provider", is_reviewing_unit | access.is_province_unit)
