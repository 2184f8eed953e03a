"""Who may do what with batches, claims, wallets and the ledger (CONVENTIONS §6)."""

import rules

from smevoucher.core import access


@rules.predicate
def unit_covers_batch(user, batch) -> bool:
    return batch is not None and access.unit_covers_city(user, batch.city_id)


@rules.predicate
def is_batch_city_unit(user, batch) -> bool:
    """A batch is managed by its own city's unit only; the province unit sees, but does not manage."""
    return batch is not None and access.is_city_unit(user) and access.unit_covers_city(user, batch.city_id)


@rules.predicate
def is_published_to_enterprise(user, batch) -> bool:
    """An enterprise sees the batches of its own city once they are published (not drafts)."""
    if batch is None or not access.is_enterprise_user(user) or batch.status == "draft":
        return False
    return user.organisation.city_id == batch.city_id


rules.add_perm("vouchers.list_batches", access.is_unit_staff | access.is_enterprise_user)
rules.add_perm("vouchers.add_batch", access.is_city_unit)
rules.add_perm("vouchers.view_batch", unit_covers_batch | is_published_to_enterprise)
rules.add_perm("vouchers.manage_batch", is_batch_city_unit)
rules.add_perm("vouchers.view_claims", unit_covers_batch)
rules.add_perm("vouchers.claim", is_published_to_enterprise)
rules.add_perm("vouchers.view_wallet", access.is_enterprise_user)
rules.add_perm("vouchers.view_ledger", access.is_unit_staff)
rules.add_perm("vouchers.set_quota", access.is_city_unit)
rules.add_perm("vouchers.view_policy", access.is_unit_staff)
rules.add_perm("vouchers.set_policy", access.is_province_unit)  # R19: the province sets the policy numbers
