"""related_party: an enterprise and the provider it orders from are run by the same people.

The Singapore SkillsFuture case ran through companies registered on both sides of the voucher. Any one of these
shared between the enterprise and the provider of an order is evidence: the legal representative's ID number
(by its keyed hash), the contact telephone, the bank account (the provider's payout account against the
accounts the enterprise paid its own share from) or the registered address (normalised). One is enough: honest
businesses in one building share an address only with a room number, which the normalised key keeps.
"""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from smevoucher.orders.models import Payment

from . import Finding, rule
from ._rows import enterprise_link, live_orders, mask, order_link, provider_link

FIELDS = {
    "legal_rep_id": _("legal representative's ID number"),
    "phone": _("contact telephone"),
    "bank_account": _("bank account"),
    "address": _("registered address"),
}


@rule("related_party", _("Related parties"))
def detect(scope):
    rows = live_orders(scope).values_list(
        "id",
        "enterprise_id",
        "provider_id",
        "enterprise__city_id",
        "enterprise__legal_rep_id_hash",
        "enterprise__legal_rep_id_last4",
        "enterprise__phone_key",
        "enterprise__address_key",
        "enterprise__registered_address",
        "provider__legal_rep_id_hash",
        "provider__legal_rep_id_last4",
        "provider__phone_key",
        "provider__address_key",
        "provider__address",
        "provider__bank_account_key",
    )
    pairs = {}
    orders = defaultdict(list)
    for row in rows:
        pairs.setdefault((row[1], row[2]), row)
        orders[(row[1], row[2])].append(row[0])
    payer_accounts = defaultdict(set)
    enterprise_ids = {enterprise for enterprise, _provider in pairs}
    for enterprise_id, key in (
        Payment.objects.filter(order__enterprise_id__in=enterprise_ids)
        .exclude(payer_account_key="")
        .values_list("order__enterprise_id", "payer_account_key")
        .distinct()
    ):
        payer_accounts[enterprise_id].add(key)
    for (enterprise_id, provider_id), row in pairs.items():
        (
            _o,
            _e,
            _p,
            city_id,
            e_id,
            e_last4,
            e_phone,
            e_addr,
            e_address,
            p_id,
            p_last4,
            p_phone,
            p_addr,
            p_address,
            p_bank,
        ) = row
        matches = []
        if e_id and e_id == p_id:
            matches.append(["legal_rep_id", f"****{e_last4}", f"****{p_last4}"])
        if e_phone and e_phone == p_phone:
            matches.append(["phone", mask(e_phone), mask(p_phone)])
        if p_bank and p_bank in payer_accounts[enterprise_id]:
            matches.append(["bank_account", mask(p_bank), mask(p_bank)])
        if e_addr and e_addr == p_addr:
            matches.append(["address", e_address, p_address])
        if not matches:
            continue
        order_ids = sorted(orders[(enterprise_id, provider_id)])
        yield Finding(
            kind="related_party",
            subject=f"{enterprise_id}-{provider_id}",
            city_id=city_id,
            message=_(
                "The enterprise and the provider it orders from share: %(what)s. They may be run by the same people."
            ),
            params={"what": [FIELDS[m[0]] for m in matches]},
            evidence={
                "sides": ["enterprise", "provider"],
                "rows": matches,
                "links": [enterprise_link(enterprise_id), provider_link(provider_id)]
                + [order_link(i) for i in order_ids[:20]],
            },
            order_ids=tuple(order_ids),
            provider_id=provider_id,
            enterprise_id=enterprise_id,
        )
