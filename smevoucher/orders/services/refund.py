"""Refunds (R12): request, approve, refuse, and what blocks approval."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, clock
from smevoucher.core.errors import DomainError
from smevoucher.vouchers import services as vouchers

from ..errors import NotAllowedNow, VouchersExpired
from ..models import Order, Payment, RefundRequest
from ..selectors import refunds_visible_to
from ._common import PROVIDER, S, _lock, _move, _not_expired, _reason, _require, _tell, _tell_enterprise, _tell_provider
from .receipts import receipt_total_add


def _not_in_redemption(order: Order) -> None:
    """R12/R13: vouchers bundled in a live redemption application cannot be refunded until the application lets
    them go (the provider removes the payment from its draft, or the unit rejects the application). Asked through
    the relation the redemption app declares, so orders does not import redemption."""
    if Payment.objects.filter(order=order, redemption_lines__live=True).exists():
        raise NotAllowedNow(
            _(
                "The vouchers of this order are in a redemption application. Remove the payment from the "
                "application (or wait until the city unit rejects it) before asking for a refund."
            ),
            code="in_redemption",
        )


def refund_approval_blocker(order: Order, *, in_redemption: bool | None = None) -> DomainError | None:
    """Why the city unit cannot approve a refund of this order now, saying what must happen first (issue 13), or
    None when it can. refund_approve refuses with exactly this; the refund list shows it instead of the button.
    in_redemption may come precomputed (an annotation of a list) to keep the list's queries constant."""
    if clock.now() > order.batch.expires_at:
        return VouchersExpired(
            _("The vouchers of this order have expired, so they can no longer be refunded (R12): refuse the request.")
        )
    if in_redemption is None:
        in_redemption = Payment.objects.filter(order=order, redemption_lines__live=True).exists()
    if in_redemption:
        return NotAllowedNow(
            _(
                "Not possible now: the vouchers of this order are in the provider's redemption application. The "
                "provider must first remove this payment from the application (or the city unit rejects the "
                "application); then the refund can be approved."
            ),
            code="in_redemption",
        )
    return None


@transaction.atomic
def refund_request(*, actor, order_id: int, reason: str) -> RefundRequest:
    """The provider asks the enterprise's city unit to return a confirmed payment; impossible after expiry."""
    order = _lock(actor, order_id, PROVIDER)
    live = order.refund_requests.filter(status=RefundRequest.Status.REQUESTED).first()
    if live is not None:
        return live
    reason = _reason(reason)
    _require(order, S.REFUNDED)
    _not_expired(order)
    _not_in_redemption(order)
    refund = RefundRequest.objects.create(
        order=order, amount_fen=order.voucher_fen, reason=reason, requested_by=actor, requested_at=clock.now()
    )
    audit.record(
        actor, "order.refund_requested", refund, after={"order": order.pk, "fen": refund.amount_fen}, reason=reason
    )
    from smevoucher.accounts.models import Organisation

    unit = Organisation.objects.filter(kind=Organisation.Kind.CITY_UNIT, city_id=order.enterprise.city_id).first()
    if unit is not None:
        _tell(
            unit,
            order,
            "order.refund_requested",
            _("Refund request for order %(number)s") % {"number": order.number},
            reason,
        )
    _tell_enterprise(
        order,
        "order.refund_requested",
        _("The provider asked to refund order %(number)s") % {"number": order.number},
        reason,
    )
    return refund


def _lock_refund(actor, refund_id) -> tuple[RefundRequest, Order]:
    found = refunds_visible_to(actor).filter(pk=refund_id).values_list("order_id", flat=True).first()
    if found is None:
        raise Http404
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("batch", "enterprise__organisation", "provider__organisation")
        .get(pk=found)
    )
    refund = RefundRequest.objects.select_for_update().get(pk=refund_id)
    # R12: the enterprise's own city unit decides.
    if not (access.is_city_unit(actor) and actor.organisation.city_id == order.enterprise.city_id):
        raise PermissionDenied
    return refund, order


@transaction.atomic
def refund_approve(*, actor, refund_id: int) -> RefundRequest:
    """The city unit approves: provider → the enterprise's wallet, the provider's cap use given back."""
    refund, order = _lock_refund(actor, refund_id)
    if refund.status == RefundRequest.Status.APPROVED:
        return refund
    if refund.status != RefundRequest.Status.REQUESTED:
        raise NotAllowedNow(_("This request has already been decided."))
    _require(order, S.REFUNDED)
    blocker = refund_approval_blocker(order)
    if blocker is not None:
        raise blocker
    vouchers.cap_release(provider_id=order.provider.organisation_id, batch=order.batch, received_fen=refund.amount_fen)
    receipt_total_add(order, sign=-1, actual_fen=order.voucher_fen)  # no longer a paid order (issue 16)
    vouchers.provider_refund(
        actor=actor,
        batch_id=order.batch_id,
        provider_id=order.provider.organisation_id,
        enterprise_id=order.enterprise_id,
        amount_fen=refund.amount_fen,
        obj=refund,
    )
    refund.status, refund.decided_by, refund.decided_at = RefundRequest.Status.APPROVED, actor, clock.now()
    refund.save(update_fields=["status", "decided_by", "decided_at"])
    order.closed_at = clock.now()
    _move(order, S.REFUNDED, actor, "order.refunded", fields=["closed_at"], after={"fen": refund.amount_fen})
    for tell in (_tell_provider, _tell_enterprise):
        tell(order, "order.refunded", _("Order %(number)s: the refund was approved") % {"number": order.number})
    return refund


@transaction.atomic
def refund_refuse(*, actor, refund_id: int, reason: str) -> RefundRequest:
    refund, order = _lock_refund(actor, refund_id)
    if refund.status == RefundRequest.Status.REFUSED:
        return refund
    if refund.status != RefundRequest.Status.REQUESTED:
        raise NotAllowedNow(_("This request has already been decided."))
    refund.decision_note = _reason(reason)
    refund.status, refund.decided_by, refund.decided_at = RefundRequest.Status.REFUSED, actor, clock.now()
    refund.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    audit.record(actor, "order.refund_refused", refund, reason=refund.decision_note)
    _tell_provider(
        order,
        "order.refund_refused",
        _("Order %(number)s: the refund was refused") % {"number": order.number},
        refund.decision_note,
    )
    return refund
