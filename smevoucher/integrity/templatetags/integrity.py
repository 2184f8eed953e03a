"""The risk flags on the review screens units already use, through one include: `{% risk_flags orders=… %}` or
`{% risk_flags provider=… %}` renders integrity/_flags.html for the flags the viewer may see."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from smevoucher.integrity import selectors

register = template.Library()

ROW_LABELS = {
    "legal_rep_id": _("Legal representative's ID number"),
    "phone": _("Contact telephone"),
    "bank_account": _("Bank account (either side)"),
    "address": _("Registered address"),
    "ip_address": _("Client address"),
    "user_agent": _("Browser (hash)"),
    "same_file": _("The same file"),
    "invoice_number": _("The same invoice number"),
    "comparables_median": _("Median of its comparables"),
    "category_median": _("Category median"),
    "order_vouchers": _("Order and its vouchers"),
    "service_cycle": _("Days taken and stated service cycle"),
    "enterprise_signed_up": _("Enterprise and its sign-up date"),
    "cluster_member": _("Enterprise and what it shares"),
}
SIDE_LABELS = {
    "enterprise": _("Enterprise"),
    "provider": _("Service provider"),
    "order": _("Order"),
    "price": _("Price"),
    "reference": _("Reference"),
    "amount": _("Vouchers"),
    "actual": _("Actual"),
    "stated": _("Stated"),
    "signed_up": _("Signed up"),
    "shares": _("Shares"),
}
LINKS = {
    "order": ("orders:detail", _("Order D%(id)08d")),
    "provider": ("providers:detail", _("Provider #%(id)s")),
    "enterprise": ("enterprises:detail", _("Enterprise #%(id)s")),
}


@register.inclusion_tag("integrity/_flags.html", takes_context=True)
def risk_flags(context, orders=None, provider=None):
    user = context["request"].user
    if orders is not None:
        items = orders if hasattr(orders, "__iter__") else [orders]
        # orders, order ids, or rows that name their order (redemption lines)
        ids = [getattr(o, "order_id", None) or getattr(o, "pk", o) for o in items]
        flags = selectors.flags_for_orders(user, ids)
    elif provider is not None:
        flags = selectors.flags_for_provider(user, getattr(provider, "pk", provider))
    else:
        flags = []
    return {"flags": flags}


@register.filter
def row_label(code):
    return ROW_LABELS.get(code, code)


@register.filter
def side_label(code):
    return SIDE_LABELS.get(code, code)


@register.simple_tag
def evidence_links(flag):
    links = []
    for link in flag.evidence.get("links", []):
        name, label = LINKS.get(link.get("type"), (None, None))
        if not name:
            continue
        try:
            links.append((reverse(name, args=[link["id"]]), str(label) % {"id": link["id"]}))
        except NoReverseMatch:
            continue
    return links


@register.simple_tag
def breaches_of(provider):
    """The confirmed flags in a provider's violations record: `{% breaches_of provider as breaches %}`."""
    return selectors.breaches_of_provider(getattr(provider, "pk", provider))
