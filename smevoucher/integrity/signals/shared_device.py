"""shared_device: both sides of one order act from the same client address and the same browser.

An enterprise and its provider are different businesses in different offices. When the enterprise's actions on
an order (placing it, the contract, the payment) and the provider's (confirming it, the receipt) come from the
same address *and* the same user-agent hash, one person is likely working both accounts. Address alone is
not enough (a shared office network or a mobile carrier's NAT), hence both must match.
"""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from smevoucher.core.models import ActionTrace

from . import Finding, rule
from ._rows import enterprise_link, live_orders, order_link, provider_link


@rule("shared_device", _("Shared device"))
def detect(scope):
    orders = {
        row[0]: row
        for row in live_orders(scope).values_list(
            "id",
            "enterprise_id",
            "provider_id",
            "enterprise__city_id",
            "enterprise__organisation_id",
            "provider__organisation_id",
        )
    }
    sides = defaultdict(lambda: defaultdict(set))  # order → organisation → {(ip, agent)}
    traces = ActionTrace.objects.filter(order_id__isnull=False).exclude(ip_address__isnull=True)
    if scope is not None:
        traces = traces.filter(order_id__in=list(orders))
    for order_id, organisation_id, ip, agent in traces.values_list(
        "order_id", "organisation_id", "ip_address", "user_agent_hash"
    ):
        if order_id in orders:
            sides[order_id][organisation_id].add((ip, agent))
    for order_id, by_organisation in sides.items():
        _id, enterprise_id, provider_id, city_id, enterprise_org, provider_org = orders[order_id]
        shared = by_organisation.get(enterprise_org, set()) & by_organisation.get(provider_org, set())
        if not shared:
            continue
        ip, agent = sorted(shared)[0]
        yield Finding(
            kind="shared_device",
            subject=str(order_id),
            city_id=city_id,
            message=_(
                "The enterprise and the provider acted on this order from the same address (%(ip)s) with the same "
                "browser."
            ),
            params={"ip": ip},
            evidence={
                "sides": ["enterprise", "provider"],
                "rows": [["ip_address", ip, ip], ["user_agent", agent[:12], agent[:12]]],
                "links": [order_link(order_id), enterprise_link(enterprise_id), provider_link(provider_id)],
            },
            order_ids=(order_id,),
            order_id=order_id,
            provider_id=provider_id,
            enterprise_id=enterprise_id,
        )
