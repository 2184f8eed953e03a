"""Reads about orders: who may see which, what the order page shows (the flow step, the next action, who must
take it and by when), duplicate invoices, and the refund requests a unit decides."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from smevoucher.core import access, clock
from smevoucher.documents.selectors import findings_for
from smevoucher.enterprises.models import Enterprise
from smevoucher.providers.models import Provider

from .models import CityMaterial, Order, Payment, ReceiptTotal, RefundRequest

S = Order.Status


def _base() -> QuerySet[Order]:
    return Order.objects.select_related(
        "enterprise__organisation", "enterprise__city", "provider__organisation", "batch__city", "contract"
    )


def orders_visible_to(user) -> QuerySet[Order]:
    """An enterprise its own orders, a provider the orders placed with it, a city unit the orders of its city's
    enterprises (paid with its city's vouchers: the order's city), the province unit all.

    Issue 16: filters on the order's own columns (the organisation's enterprise or provider id, the city), not on
    joined rows, so the (column, placed_at, id) indexes serve the list's order at any volume."""
    kind = access.organisation_kind(user)
    if kind == access.ENTERPRISE:
        own = Enterprise.objects.filter(organisation_id=user.organisation_id).values("pk")
        return _base().filter(enterprise_id=Subquery(own))
    if kind == access.PROVIDER:
        own = Provider.objects.filter(organisation_id=user.organisation_id).values("pk")
        return _base().filter(provider_id=Subquery(own))
    if kind == access.CITY_UNIT:
        return _base().filter(city_id=user.organisation.city_id)
    if kind == access.PROVINCE_UNIT:
        return _base()
    return Order.objects.none()


def orders_filtered(filters, orders: QuerySet[Order], params) -> QuerySet[Order]:
    """The order list's search and filters, as its page and its API offer them (params: the request's query): an
    order number (D00000012) or text in the product's or either party's name (one upper-cased column), the
    statuses (a `core.lists.ListFilterForm`), and the workbench cards' `refund=requested` and `expiring=1`."""
    orders = filters.apply(orders, search=("search_text",), number=("D", "pk"))
    if params.get("refund") == "requested":
        orders = orders.filter(refund_waiting_q())
    if params.get("expiring"):
        orders = orders.filter(expiring_q())
    return orders


def refunds_filtered(filters, refunds: QuerySet[RefundRequest]) -> QuerySet[RefundRequest]:
    """The refund queue's search and status filter, as its page and its API offer them: the order's number or
    text in its product's or either party's name."""
    return filters.apply(refunds, search=("order__search_text",), number=("D", "order_id"))


def refund_waiting_q() -> Q:
    """Orders with a refund request waiting for the city unit's decision (R12)."""
    waiting = RefundRequest.objects.filter(order_id=OuterRef("pk"), status=RefundRequest.Status.REQUESTED)
    return Q(Exists(waiting))


# Orders whose escrowed vouchers lapse unless paid by the validity end (R10): these many days ahead count as soon.
EXPIRING_DAYS = 30
AWAITING_PAYMENT = (S.CONTRACT_CONFIRMED, S.COMPLETED, S.PAYMENT_REJECTED)


def expiring_q(days: int = EXPIRING_DAYS) -> Q:
    """Orders still to be paid whose batch's vouchers expire within `days` days (not yet expired)."""
    today = clock.today()
    return Q(
        status__in=AWAITING_PAYMENT,
        batch__validity_end__gte=today,
        batch__validity_end__lte=today + timedelta(days=days),
    )


def order_get_for(*, user, order_id) -> Order:
    return access.require(user, "orders.view_order", orders_visible_to(user).filter(pk=order_id).first())


def refunds_visible_to(user) -> QuerySet[RefundRequest]:
    return RefundRequest.objects.filter(order__in=orders_visible_to(user)).select_related(
        "order__enterprise", "order__provider__organisation", "requested_by"
    )


def refund_queue_for(user) -> QuerySet[RefundRequest]:
    """R12: the requests this city unit decides (its city's enterprises), waiting ones first."""
    if not access.is_city_unit(user):
        return RefundRequest.objects.none()
    in_redemption = Payment.objects.filter(order=OuterRef("order_id"), redemption_lines__live=True)
    return (
        refunds_visible_to(user)
        .filter(order__enterprise__city_id=user.organisation.city_id)
        .select_related("order__batch", "order__enterprise__organisation", "order__provider__organisation")
        .annotate(in_redemption=Exists(in_redemption))
        .order_by("-status", "requested_at", "pk")
    )


def live_payment(order: Order) -> Payment | None:
    return order.payments.exclude(status=Payment.Status.REJECTED).select_related("invoice", "transfer_proof").first()


def duplicate_invoices(payment: Payment, *, viewer) -> list[Order]:
    """Other orders whose payment used the same invoice number (R15): all of them for the unit reviewing the
    order's enterprise; for anyone else only their own provider's orders (other organisations' orders are for
    reviewers only, issue 14)."""
    others = Payment.objects.filter(invoice_number=payment.invoice_number).exclude(order_id=payment.order_id)
    orders = Order.objects.filter(pk__in=others.values("order_id"))
    if not access.unit_covers_city(viewer, payment.order.enterprise.organisation.city_id):
        orders = orders.filter(provider__organisation_id=getattr(viewer, "organisation_id", None))
    return list(orders.order_by("pk"))


def payment_findings(payment: Payment, *, viewer) -> list[str]:
    """The documents service's findings on the payment's files (the same file on another order, …), for
    reviewers only."""
    found = []
    for document in (payment.invoice, payment.transfer_proof, *(m.document for m in payment.materials.all())):
        found.extend(findings_for(document, viewer=viewer))
    return found


ENTERPRISE_SIDE, PROVIDER_SIDE, UNIT_SIDE = _("Enterprise"), _("Service provider"), _("City handling unit")

# status → (flow step code, next action, who, deadline attribute of the order or None)
NEXT = {
    S.PLACED: ("confirm_order", _("The provider confirms the order"), PROVIDER_SIDE, "contract_due"),
    S.CONFIRMED: ("upload_contract", _("The enterprise uploads the contract"), ENTERPRISE_SIDE, "contract_due"),
    S.CONTRACT_RETURNED: (
        "upload_contract",
        _("The enterprise uploads a corrected contract"),
        ENTERPRISE_SIDE,
        "contract_due",
    ),
    S.CONTRACT_UPLOADED: ("confirm_contract", _("The provider checks and confirms the contract"), PROVIDER_SIDE, None),
    S.CONTRACT_CONFIRMED: ("complete", _("The provider completes the service"), PROVIDER_SIDE, "expires_at"),
    S.COMPLETED: ("receive", _("The enterprise pays with vouchers"), ENTERPRISE_SIDE, "expires_at"),
    S.PAYMENT_REJECTED: ("receive", _("The enterprise submits the payment again"), ENTERPRISE_SIDE, "expires_at"),
    S.PAYMENT_SUBMITTED: ("receive", _("The provider checks the payment and confirms receipt"), PROVIDER_SIDE, None),
    S.PAYMENT_CONFIRMED: ("redeem", _("The provider applies for redemption"), PROVIDER_SIDE, None),
}


def next_step(order: Order) -> dict:
    """For the order page: the flow chart's current step, the next action, who must take it and by when."""
    step, action, who, due = NEXT.get(order.status, ("", None, None, None))
    if due == "expires_at":
        due = order.batch.expires_at
    elif due:
        due = getattr(order, due)
    return {"step": step or None, "action": action, "who": who, "due": due}


def city_materials_of(city_id: int) -> dict[str, list[CityMaterial]]:
    """The city's required materials by purpose (public: anyone may read them), in the unit's order."""
    by_purpose = {purpose: [] for purpose in CityMaterial.Purpose.values}
    for material in CityMaterial.objects.filter(city_id=city_id):
        by_purpose[material.purpose].append(material)
    return by_purpose


def city_materials_by_name(city_id: int, purpose: str) -> dict[str, CityMaterial]:
    return {m.name: m for m in CityMaterial.objects.filter(city_id=city_id, purpose=purpose)}


def receipt_totals_mismatches() -> list[tuple]:
    """(provider id, batch id, kept, counted) where the kept receipt totals (issue 16) differ from the paid orders
    themselves: none when every move in or out of "vouchers received" went through the services."""
    counted = {
        (r["provider_id"], r["batch_id"]): (r["n"], r["expected"], r["actual"])
        for r in Order.objects.filter(status=S.PAYMENT_CONFIRMED)
        .order_by()
        .values("provider_id", "batch_id")
        .annotate(n=Count("pk"), expected=Sum("expected_voucher_fen"), actual=Sum("voucher_fen"))
    }
    kept = {
        (r.provider_id, r.batch_id): (r.orders, r.expected_fen, r.actual_fen)
        for r in ReceiptTotal.objects.exclude(orders=0)
    }
    return [
        (*key, kept.get(key), counted.get(key))
        for key in sorted(set(counted) | set(kept))
        if kept.get(key) != counted.get(key)
    ]
