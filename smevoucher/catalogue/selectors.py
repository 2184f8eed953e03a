"""Reads about products: who may see which (R4 units, the provider itself), the public catalogue with the R2
scope for enterprises, and what the orders app calls to place an order on a revision and tier."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from smevoucher.accounts.models import City
from smevoucher.core import access
from smevoucher.core.errors import Conflict
from smevoucher.directory.models import CITY_LEVELS
from smevoucher.providers.selectors import may_receive_vouchers, may_serve, receiving_vouchers_q

from .models import Product, ProductRevision, ProductTier, RevisionRegion


def _base() -> QuerySet[Product]:
    return Product.objects.select_related(
        "provider__organisation", "provider__city", "provider__entry", "published_revision"
    )


def products_visible_to(user) -> QuerySet[Product]:
    """The province unit sees all; a city unit the products it reviews (R4); a provider only its own."""
    kind = access.organisation_kind(user)
    if kind == access.PROVINCE_UNIT:
        return _base()
    if kind == access.CITY_UNIT:
        return _base().filter(provider__level__in=CITY_LEVELS, provider__city_id=user.organisation.city_id)
    if kind == access.PROVIDER:
        return _base().filter(provider__organisation_id=user.organisation_id)
    return _base().none()


def product_get_for(*, user, product_id) -> Product:
    """A product the user may see; "not found" for missing and for not yours alike."""
    return access.require(user, "catalogue.view_product", products_visible_to(user).filter(pk=product_id).first())


def review_queue_for(user) -> QuerySet[Product]:
    """Products with a revision waiting for this unit's decision (R4), oldest submission first."""
    if access.is_province_unit(user):
        products = _base().exclude(provider__level__in=CITY_LEVELS)
    elif access.is_city_unit(user):
        products = products_visible_to(user)
    else:
        return Product.objects.none()
    waiting = ProductRevision.objects.filter(product=OuterRef("pk"), state=ProductRevision.State.SUBMITTED)
    return products.filter(Exists(waiting))


def reviewed_by(user) -> QuerySet[Product]:
    """Every product this unit reviews (for its list of published and taken-down products)."""
    if access.is_province_unit(user):
        return _base().exclude(provider__level__in=CITY_LEVELS)
    if access.is_city_unit(user):
        return products_visible_to(user)
    return Product.objects.none()


WORKING_STATES = ("draft", "submitted", "returned")


def with_revisions(products: QuerySet[Product]) -> QuerySet[Product]:
    """Prefetch every product's revisions, newest first, for list pages (see `working_of`, `latest_of`)."""
    return products.prefetch_related(Prefetch("revisions", queryset=ProductRevision.objects.order_by("-number")))


def working_of(product: Product) -> ProductRevision | None:
    """The working revision from prefetched revisions (no query)."""
    return next((r for r in product.revisions.all() if r.state in WORKING_STATES), None)


def latest_of(product: Product) -> ProductRevision | None:
    revisions = list(product.revisions.all())
    return revisions[0] if revisions else None


def revisions_of(product: Product) -> QuerySet[ProductRevision]:
    return product.revisions.select_related("decided_by", "created_by").order_by("-number")


def working_revision(product: Product) -> ProductRevision | None:
    return product.revisions.filter(state__in=WORKING_STATES).first()


def revision_with_content(revision_id: int) -> ProductRevision:
    return (
        ProductRevision.objects.select_related("qualification", "pricing_document", "product__provider__organisation")
        .prefetch_related(
            "tiers",
            "comparables",
            "regions",
            "material_sets__contract",
            "material_sets__invoice",
            "material_sets__evidence__document",
        )
        .get(pk=revision_id)
    )


# --- the public catalogue (R2) -----------------------------------------------------------------------------------


def enterprise_city_id(user) -> int | None:
    """The city of an enterprise user (its enterprise profile's city), else None."""
    if access.organisation_kind(user) != access.ENTERPRISE:
        return None
    enterprise = getattr(user.organisation, "enterprise", None)
    return enterprise.city_id if enterprise is not None else user.organisation.city_id


def serving_city(city_id: int) -> Q:
    """Published revisions whose provider may serve this city (R2) and whose service region includes it (R5)."""
    in_region = RevisionRegion.objects.filter(revision=OuterRef("published_revision"), city_id=city_id)
    scope = ~Q(provider__level__in=CITY_LEVELS) | Q(provider__city_id=city_id)
    return scope & Q(Exists(in_region))


def catalogue_for(user) -> QuerySet[Product]:
    """Published products of approved providers that may receive vouchers (R1); an enterprise sees only those that
    may serve its city (R2). Anonymous visitors and staff see every published product."""
    # R1 and manual 三: a suspended provider's products leave the catalogue while the suspension runs.
    products = _base().filter(receiving_vouchers_q("provider__"), status=Product.Status.PUBLISHED)
    if access.organisation_kind(user) == access.ENTERPRISE:
        city_id = enterprise_city_id(user)
        products = products.filter(serving_city(city_id)) if city_id else products.none()
    return products


def catalogue_search(
    products: QuerySet[Product],
    *,
    q: str = "",
    category: str = "",
    city: City | int | None = None,
    price_min_fen: int | None = None,
    price_max_fen: int | None = None,
) -> QuerySet[Product]:
    """Search by name and text; filter by category, served city and price (any tier within the bounds)."""
    for word in (q or "").split()[:5]:
        products = products.filter(
            Q(published_revision__name__icontains=word)
            | Q(published_revision__overview__icontains=word)
            | Q(published_revision__deliverables__icontains=word)
            | Q(published_revision__process__icontains=word)
            | Q(provider__organisation__name__icontains=word)
        )
    if category:
        products = products.filter(published_revision__category=category)
    if city:
        products = products.filter(serving_city(city.pk if isinstance(city, City) else city))
    if price_min_fen is not None:
        products = products.filter(published_revision__price_max_fen__gte=price_min_fen)
    if price_max_fen is not None:
        products = products.filter(published_revision__price_min_fen__lte=price_max_fen)
    return products.order_by("-published_revision__decided_at", "-pk")


def catalogue_product_get(*, user, product_id) -> Product:
    """A product page of the catalogue: published and visible to this user (R2), else "not found"."""
    product = catalogue_for(user).filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product


# --- for orders --------------------------------------------------------------------------------------------------


class NotOrderable(Conflict):
    code = "product_not_orderable"


def orderable_revision(revision_id: int) -> ProductRevision:
    """The revision an order may be placed on: the one currently published in the catalogue, of a provider that may
    receive vouchers. Orders keep the revision (and tier, price) for good: an approved revision never changes."""
    revision = (
        ProductRevision.objects.select_related("product__provider__entry", "product__provider__organisation")
        .filter(pk=revision_id, state=ProductRevision.State.APPROVED)
        .first()
    )
    if revision is None or revision.product.status != Product.Status.PUBLISHED:
        raise NotOrderable(_not_orderable_message())
    if revision.product.published_revision_id != revision.pk:
        raise NotOrderable(_superseded_message())
    if not may_receive_vouchers(revision.product.provider):
        raise NotOrderable(_not_orderable_message())
    return revision


def orderable_tier(*, revision_id: int, tier_id: int) -> ProductTier:
    """A tier of an orderable revision, with its price in fen (`tier.price_fen`)."""
    revision = orderable_revision(revision_id)
    tier = ProductTier.objects.filter(pk=tier_id, revision=revision).select_related("revision").first()
    if tier is None:
        raise NotOrderable(_not_orderable_message())
    return tier


def serves_city(revision: ProductRevision, city: City | int) -> bool:
    """R2 + R5: the provider may serve this city and the revision's service region includes it."""
    city_id = city.pk if isinstance(city, City) else city
    return may_serve(revision.product.provider, city_id) and revision.region_rows.filter(city_id=city_id).exists()


def serves_enterprise(revision: ProductRevision, enterprise) -> bool:
    return serves_city(revision, enterprise.city_id)


def _not_orderable_message():
    return _("This product is not in the catalogue now and cannot be ordered.")


def _superseded_message():
    return _("This product has changed since; open its page again and order the current version.")


def products_filtered(filters, products: QuerySet[Product]) -> QuerySet[Product]:
    """The product list's search and status filter (a `core.lists.ListFilterForm`), as its page and its API offer
    them: text in any revision's name, so a renamed product is found by its old and its new name (once, however
    many of its revisions match)."""
    return filters.apply(products, search=("revisions__name",))
