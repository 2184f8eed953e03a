"""Reads about providers: who may see which, the reviewing unit (R4), the service scope (R2)."""

from django.db.models import QuerySet

from smevoucher.accounts.models import City, Organisation
from smevoucher.core import access, clock
from smevoucher.directory.models import CITY_LEVELS

from .models import ChangeRequest, Provider
from .rules import reviewing_city_id


def providers_visible_to(user) -> QuerySet[Provider]:
    """The province unit sees all; a city unit the registrations it reviews (R4); a provider only itself."""
    base = Provider.objects.select_related("organisation", "city", "entry", "licence", "commitment_letter")
    kind = access.organisation_kind(user)
    if kind == access.PROVINCE_UNIT:
        return base
    if kind == access.CITY_UNIT:
        return base.filter(level__in=CITY_LEVELS, city_id=user.organisation.city_id)
    if kind == access.PROVIDER:
        return base.filter(organisation_id=user.organisation_id)
    return base.none()


def review_queue_for(user) -> QuerySet[Provider]:
    """The registrations this unit decides (R4), for its review queue."""
    if access.is_province_unit(user):
        return providers_visible_to(user).exclude(level__in=CITY_LEVELS)
    return providers_visible_to(user) if access.is_city_unit(user) else Provider.objects.none()


def provider_get_for(*, user, provider_id) -> Provider:
    provider = providers_visible_to(user).filter(pk=provider_id).first()
    return access.require(user, "providers.view_provider", provider)


def provider_of(user) -> Provider | None:
    if access.organisation_kind(user) != access.PROVIDER:
        return None
    return providers_visible_to(user).first()


def reviewing_unit(provider: Provider) -> Organisation | None:
    """R4: the province unit for national and provincial providers, else the unit of the provider's city."""
    city_id = reviewing_city_id(provider)
    if city_id is None:
        return Organisation.objects.filter(kind=Organisation.Kind.PROVINCE_UNIT).first()
    return Organisation.objects.filter(kind=Organisation.Kind.CITY_UNIT, city_id=city_id).first()


def service_cities(provider: Provider) -> QuerySet[City]:
    """R2: national and provincial platforms serve every city; municipal platforms and Guangzhou stations
    their own city only."""
    if provider.level in CITY_LEVELS:
        return City.objects.filter(pk=provider.city_id)
    return City.objects.all()


def service_city_codes(provider: Provider, cache: dict) -> list[str]:
    """R2 as city codes, for lists: every city's codes are read once per response (`cache`, e.g. a serializer's
    context), a city-level provider's from its city (select_related by the lists)."""
    if provider.level in CITY_LEVELS:
        return [provider.city.code]
    if "every_city_code" not in cache:
        cache["every_city_code"] = list(City.objects.order_by("code").values_list("code", flat=True))
    return cache["every_city_code"]


def serves_every_city(provider: Provider) -> bool:
    return provider.level not in CITY_LEVELS


def may_serve(provider: Provider, city: City | int) -> bool:
    """R2: may this provider serve an enterprise of this city? Only an approved provider serves anyone.
    Orders and the catalogue call this."""
    if provider.status != Provider.Status.APPROVED:
        return False
    city_id = city if isinstance(city, int) else city.pk
    return serves_every_city(provider) or provider.city_id == city_id


def may_receive_vouchers(provider: Provider, on=None) -> bool:
    """Approved, and its directory entry active and not past its last day for receiving vouchers (R1)."""
    entry = provider.entry
    return provider.status == Provider.Status.APPROVED and entry.active and entry.valid_until >= (on or clock.today())


def change_requests_visible_to(user) -> QuerySet[ChangeRequest]:
    providers = providers_visible_to(user)
    return ChangeRequest.objects.filter(provider__in=providers).select_related(
        "provider__organisation", "requested_by", "proof", "decided_by"
    )


def change_request_queue_for(user) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(provider__in=review_queue_for(user)).select_related(
        "provider__organisation", "requested_by", "proof"
    )


def change_request_get_for(*, user, request_id) -> ChangeRequest:
    change = change_requests_visible_to(user).filter(pk=request_id).first()
    access.require(user, "providers.view_provider", change.provider if change else None)
    return change
