"""Reads about providers: who may see which, the reviewing unit (R4), the service scope (R2)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from smevoucher.accounts.models import City, Organisation
from smevoucher.core import access, clock
from smevoucher.directory.models import CITY_LEVELS

from .models import ChangeRequest, LetterRenewal, Provider, Suspension
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
    if provider.status != Provider.Status.APPROVED or is_suspended(provider):
        return False
    city_id = city if isinstance(city, int) else city.pk
    return serves_every_city(provider) or provider.city_id == city_id


def may_receive_vouchers(provider: Provider, on=None) -> bool:
    """Approved, not suspended (manual 三), and its directory entry active and not past its last day for
    receiving vouchers (R1)."""
    entry, on = provider.entry, on or clock.today()
    approved = provider.status == Provider.Status.APPROVED and not is_suspended(provider, on)
    return approved and entry.active and entry.valid_until >= on


def is_suspended(provider: Provider, on=None) -> bool:
    """Manual 三: suspended through `suspended_until` inclusive; the suspension ends by itself the day after."""
    return provider.suspended_until is not None and provider.suspended_until >= (on or clock.today())


def receiving_vouchers_q(prefix: str = "") -> Q:
    """`may_receive_vouchers` as a filter, for lists such as the catalogue (R1, manual 三)."""
    today = clock.today()
    return Q(
        **{
            f"{prefix}status": Provider.Status.APPROVED,
            f"{prefix}entry__active": True,
            f"{prefix}entry__valid_until__gte": today,
        }
    ) & (Q(**{f"{prefix}suspended_until__isnull": True}) | Q(**{f"{prefix}suspended_until__lt": today}))


def suspensions_visible_to(user) -> QuerySet[Suspension]:
    """The violations record: the province sees every suspension; others those of the providers they see."""
    return Suspension.objects.filter(provider__in=providers_visible_to(user)).select_related(
        "provider__organisation", "unit", "suspended_by", "lifted_by"
    )


def letter_is_current(provider: Provider, on=None) -> bool:
    """R3 each year: may the provider confirm orders and payments on this day? Its commitment letter must be dated
    in that year, or a letter dated that year must be waiting for the unit's review (uploading it is the
    provider's duty; a returned letter blocks again until a new one is uploaded)."""
    year = (on or clock.today()).year
    if provider.commitment_date.year >= year:
        return True
    return provider.letter_renewals.filter(year=year, status=LetterRenewal.Status.SUBMITTED).exists()


def letter_to_renew_q(on=None) -> Q:
    """Approved providers that must upload a commitment letter: now (as `letter_is_current` refuses), or in
    December for the coming year (reminders start on 1 December). For the workbench."""
    on = on or clock.today()
    waiting = LetterRenewal.objects.filter(provider=OuterRef("pk"), year=on.year, status=LetterRenewal.Status.SUBMITTED)
    due_now = Q(commitment_date__year__lt=on.year) & ~Q(Exists(waiting))
    ahead = Q(commitment_date__year__lte=on.year) if on.month == 12 else Q(pk__in=[])
    return Q(status=Provider.Status.APPROVED) & (due_now | ahead)


def letter_renewals_visible_to(user) -> QuerySet[LetterRenewal]:
    return LetterRenewal.objects.filter(provider__in=providers_visible_to(user)).select_related(
        "provider__organisation", "letter", "submitted_by", "decided_by"
    )


def letter_renewal_queue_for(user) -> QuerySet[LetterRenewal]:
    """The renewed letters this unit reviews (the unit that reviews the provider, R4)."""
    return LetterRenewal.objects.filter(provider__in=review_queue_for(user)).select_related(
        "provider__organisation", "letter"
    )


def letter_renewal_get_for(*, user, renewal_id) -> LetterRenewal:
    renewal = letter_renewals_visible_to(user).filter(pk=renewal_id).first()
    access.require(user, "providers.view_provider", renewal.provider if renewal else None)
    return renewal


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


def providers_filtered(filters, providers: QuerySet[Provider]) -> QuerySet[Provider]:
    """The provider list's search and status filter (a `core.lists.ListFilterForm`), as its page and its API offer
    them: text in the full name or the unified social credit code."""
    return filters.apply(providers, search=("organisation__name", "uscc"))
