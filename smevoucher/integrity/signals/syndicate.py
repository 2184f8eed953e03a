"""syndicate: a cluster of enterprises sharing a telephone, a registered address, a legal representative or a
bank account they pay from.

Independent small businesses do not share these. A pair can be innocent (two companies of one owner, which the
rules allow); a cluster of INTEGRITY_SYNDICATE_MIN_SIZE or more is a recruited group claiming vouchers through
shells. Clusters are found with union-find over the shared keys, linear in the enterprises. The incremental run
grows the cluster of the touched enterprises through the indexed keys only.
"""

from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smevoucher.enterprises.models import Enterprise
from smevoucher.orders.models import Payment

from . import Finding, rule
from ._rows import enterprise_link, live_orders, order_link

KEYS = ("legal_rep_id_hash", "phone_key", "address_key")
LABELS = {
    "legal_rep_id_hash": _("legal representative"),
    "phone_key": _("contact telephone"),
    "address_key": _("registered address"),
    "payer_account_key": _("bank account"),
}


def _keys(enterprise_ids=None):
    """(enterprise, key name, value) for every non-empty key, of the given enterprises or of all."""
    enterprises = Enterprise.objects.all()
    payments = Payment.objects.exclude(payer_account_key="")
    if enterprise_ids is not None:
        enterprises = enterprises.filter(pk__in=enterprise_ids)
        payments = payments.filter(order__enterprise_id__in=enterprise_ids)
    for row in enterprises.values_list("id", *KEYS):
        for name, value in zip(KEYS, row[1:], strict=True):
            if value:
                yield row[0], name, value
    for enterprise_id, value in payments.values_list("order__enterprise_id", "payer_account_key").distinct():
        yield enterprise_id, "payer_account_key", value


def _neighbourhood(seed_ids):
    """The enterprises reachable from the seeds through shared keys (bounded by the cluster's own size)."""
    known, frontier = set(), set(seed_ids)
    while frontier:
        known |= frontier
        values = defaultdict(set)
        for _e, name, value in _keys(frontier):
            values[name].add(value)
        condition = Q(pk__in=[])
        for name in KEYS:
            if values[name]:
                condition |= Q(**{f"{name}__in": values[name]})
        found = set(Enterprise.objects.filter(condition).values_list("id", flat=True))
        if values["payer_account_key"]:
            found |= set(
                Payment.objects.filter(payer_account_key__in=values["payer_account_key"]).values_list(
                    "order__enterprise_id", flat=True
                )
            )
        frontier = found - known
    return known


@rule("syndicate", _("Syndicate of enterprises"))
def detect(scope):
    ids = None if scope is None else _neighbourhood(live_orders(scope).values_list("enterprise_id", flat=True))
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner = {}  # (key name, value) → first enterprise seen with it
    shared = defaultdict(set)  # enterprise → key names it shares
    for enterprise_id, name, value in _keys(ids):
        find(enterprise_id)
        first = owner.setdefault((name, value), enterprise_id)
        if first != enterprise_id:
            parent[find(enterprise_id)] = find(first)
            shared[enterprise_id].add(name)
            shared[first].add(name)
    clusters = defaultdict(list)
    for enterprise_id in shared:
        clusters[find(enterprise_id)].append(enterprise_id)
    big = [sorted(members) for members in clusters.values() if len(members) >= settings.INTEGRITY_SYNDICATE_MIN_SIZE]
    if not big:
        return
    members_of = {e: members for members in big for e in members}
    order_ids = defaultdict(list)
    for order_id, enterprise_id in (
        live_orders(None).filter(enterprise_id__in=members_of).values_list("id", "enterprise_id")
    ):
        order_ids[members_of[enterprise_id][0]].append(order_id)
    cities = dict(Enterprise.objects.filter(pk__in=[m[0] for m in big]).values_list("id", "city_id"))
    for members in big:
        what = sorted({name for e in members for name in shared[e]})
        orders = sorted(order_ids[members[0]])
        yield Finding(
            kind="syndicate",
            subject=str(members[0]),
            city_id=cities[members[0]],
            message=_("%(count)s enterprises share %(what)s."),
            params={"count": len(members), "what": [LABELS[name] for name in what]},
            evidence={
                "sides": ["enterprise", "shares"],
                "rows": [
                    ["cluster_member", f"#{e}", "、".join(sorted(str(LABELS[n]) for n in shared[e]))] for e in members
                ],
                "links": [enterprise_link(e) for e in members[:30]] + [order_link(i) for i in orders[:20]],
            },
            order_ids=tuple(orders),
            enterprise_id=members[0],
        )
