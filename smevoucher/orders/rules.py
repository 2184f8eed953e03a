"""Who may see orders and refund requests (CONVENTIONS §6); who may take each step is checked by the service
against the order's own parties (the enterprise, the provider, the enterprise's city unit)."""

import rules

from smevoucher.core import access


@rules.predicate
def is_party(user, order) -> bool:
    if order is None:
        return False
    return access.belongs_to(user, order.enterprise.organisation_id) or access.belongs_to(
        user, order.provider.organisation_id
    )


@rules.predicate
def unit_covers_order(user, order) -> bool:
    return order is not None and (
        access.unit_covers_city(user, order.enterprise.city_id) or access.unit_covers_city(user, order.batch.city_id)
    )


rules.add_perm("orders.list_orders", access.is_enterprise_user | access.is_provider_user | access.is_unit_staff)
rules.add_perm("orders.place_order", access.is_enterprise_user)
rules.add_perm("orders.view_order", is_party | unit_covers_order)
rules.add_perm("orders.decide_refunds", access.is_city_unit)
rules.add_perm("orders.set_city_materials", access.is_city_unit)
