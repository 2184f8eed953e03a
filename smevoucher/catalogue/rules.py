import rules

from smevoucher.core import access
from smevoucher.providers.rules import is_reviewing_unit


@rules.predicate
def is_own_product(user, product) -> bool:
    return product is not None and access.belongs_to(user, product.provider.organisation_id)


@rules.predicate
def reviews_product(user, product) -> bool:
    """R4: the province unit for national and provincial providers' products, the city unit for the others."""
    return product is not None and is_reviewing_unit(user, product.provider)


rules.add_perm("catalogue.view_product", is_own_product | reviews_product | access.is_province_unit)
rules.add_perm("catalogue.change_product", is_own_product & access.is_provider_user)
rules.add_perm("catalogue.review_product", reviews_product)
rules.add_perm("catalogue.add_product", access.is_provider_user)
rules.add_perm("catalogue.list_product_reviews", access.is_unit_staff)
