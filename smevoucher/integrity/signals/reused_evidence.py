"""reused_evidence: the same material serves two orders — the same file content (a contract, an invoice or a
transfer proof; the documents app records each such finding when the file is used) or the same invoice number.
One real service has one invoice and one transfer; the second order claims vouchers for a service it did not buy.
Every pair found is a case: there is no threshold to tune.
"""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smevoucher.documents.models import Finding as DocumentFinding
from smevoucher.orders.models import Order, Payment

from . import Finding, rule
from ._rows import DEAD, live_orders, order_link

LIVE_PAYMENTS = (Payment.Status.SUBMITTED, Payment.Status.CONFIRMED)


def _invoice_key(number: str) -> str:
    return "".join((number or "").split()).upper()


@rule("reused_evidence", _("Reused evidence"))
def detect(scope):
    pairs = defaultdict(set)  # (order a, order b) → {what}
    findings = DocumentFinding.objects.filter(
        reason=DocumentFinding.Reason.OTHER_OBJECT, object_type="orders.order"
    ).values_list("object_id", "other_object_id")
    payments = Payment.objects.filter(status__in=LIVE_PAYMENTS)
    if scope is not None:
        ids = [str(i) for i in live_orders(scope).values_list("id", flat=True)]
        findings = findings.filter(Q(object_id__in=ids) | Q(other_object_id__in=ids))
        numbers = payments.filter(order_id__in=[int(i) for i in ids]).values_list("invoice_number", flat=True)
        payments = payments.filter(invoice_number__in=list(numbers))
    for a, b in findings:
        if a.isdigit() and b.isdigit() and a != b:
            pairs[tuple(sorted((int(a), int(b))))].add("file")
    by_number = defaultdict(set)
    for order_id, number in payments.values_list("order_id", "invoice_number"):
        by_number[_invoice_key(number)].add(order_id)
    for order_ids in by_number.values():
        ordered = sorted(order_ids)
        for other in ordered[1:]:  # each later order against the first: a chain, not every pair
            pairs[(ordered[0], other)].add("invoice_number")
    if not pairs:
        return
    involved = {i for pair in pairs for i in pair}
    orders = {
        row[0]: row
        for row in Order.objects.filter(pk__in=involved)
        .exclude(status__in=DEAD)
        .values_list("id", "enterprise_id", "provider_id", "enterprise__city_id")
    }
    for (a, b), what in sorted(pairs.items()):
        if a not in orders or b not in orders:
            continue
        second = orders[b]
        rows = [["same_file", f"D{a:08d}", f"D{b:08d}"]] if "file" in what else []
        if "invoice_number" in what:
            rows.append(["invoice_number", f"D{a:08d}", f"D{b:08d}"])
        yield Finding(
            kind="reused_evidence",
            subject=f"{a}-{b}",
            city_id=second[3],
            message=_("Orders %(a)s and %(b)s use the same material (%(what)s)."),
            params={
                "a": f"D{a:08d}",
                "b": f"D{b:08d}",
                "what": [_("the same file") if w == "file" else _("the same invoice number") for w in sorted(what)],
            },
            evidence={"sides": ["order", "order"], "rows": rows, "links": [order_link(a), order_link(b)]},
            order_ids=(a, b),
            order_id=b,
            provider_id=second[2],
            enterprise_id=second[1],
        )
