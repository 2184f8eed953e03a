"""Payment and receipt (DESIGN §2 steps 7–8): submit (with the city's required materials), confirm, reject."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from smevoucher.core import clock, identity
from smevoucher.core.errors import ValidationFailed
from smevoucher.documents.models import Kind
from smevoucher.documents.services import document_share, document_use
from smevoucher.vouchers import services as vouchers

from ..errors import AmountsDoNotMatch
from ..models import Order, Payment, PaymentMaterial
from ._common import (
    ENTERPRISE,
    PROVIDER,
    S,
    _letter_current,
    _lock,
    _may_receive,
    _move,
    _not_expired,
    _own_document,
    _reason,
    _require,
    _tell_enterprise,
    _tell_provider,
)
from .materials import required_materials
from .receipts import receipt_total_add


def _same_payment(payment: Payment, data: dict) -> bool:
    return all(getattr(payment, key) == value for key, value in data.items())


@transaction.atomic
def payment_submit(
    *,
    actor,
    order_id: int,
    invoice_number: str,
    invoice_date: date,
    invoice_fen: int,
    own_share_fen: int,
    voucher_fen: int,
    invoice_id: int,
    transfer_proof_id: int,
    materials: dict[str, int] | None = None,
    payer_account: str = "",
) -> Payment:
    """The enterprise pays with vouchers (R11): the full invoice (own share + vouchers), the bank-transfer proof of
    its own share and the city's extra materials. The voucher amount is at most the expected amount and the
    batch's coverage limit on the invoice. Recorded as submitted for R10 (no expiry reclaim while checked)."""
    order = _lock(actor, order_id, ENTERPRISE)
    number = (invoice_number or "").strip().upper()
    # a repeated submission (a double click, even one that uploaded the files again) finds the same figures
    data = {
        "invoice_number": number,
        "invoice_fen": invoice_fen,
        "own_share_fen": own_share_fen,
        "voucher_fen": voucher_fen,
    }
    live = order.payments.filter(status=Payment.Status.SUBMITTED).first()
    if order.status == S.PAYMENT_SUBMITTED and live and _same_payment(live, data):
        return live  # a double click
    _require(order, S.PAYMENT_SUBMITTED)
    _not_expired(order)
    errors = {}
    if not number or len(number) > 40:
        errors["invoice_number"] = [_("Enter the invoice number.")]
    if not isinstance(invoice_date, date) or invoice_date > clock.today():
        errors["invoice_date"] = [_("Enter the invoice date (not later than today).")]
    for field, value in (("invoice_fen", invoice_fen), ("voucher_fen", voucher_fen)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            errors[field] = [_("Enter an amount above zero.")]
    if not isinstance(own_share_fen, int) or isinstance(own_share_fen, bool) or own_share_fen < 0:
        errors["own_share_fen"] = [_("Enter the amount you paid by bank transfer.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if invoice_fen != own_share_fen + voucher_fen:
        raise AmountsDoNotMatch(
            _("The invoice amount must equal your own share plus the voucher amount."),
            fields={"invoice_fen": [_("The invoice amount must equal your own share plus the voucher amount.")]},
        )
    if voucher_fen > order.expected_voucher_fen:
        raise AmountsDoNotMatch(
            _("The voucher amount may not be higher than the expected amount of the order."),
            fields={"voucher_fen": [_("The voucher amount may not be higher than the expected amount of the order.")]},
            code="above_expected",
        )
    if voucher_fen > order.batch.coverage_limit_fen(invoice_fen):
        raise AmountsDoNotMatch(
            _("The vouchers may cover at most the batch's share of the invoice amount."),
            fields={"voucher_fen": [_("The vouchers may cover at most the batch's share of the invoice amount.")]},
            code="above_coverage_limit",
        )
    invoice = _own_document(actor, invoice_id, Kind.INVOICE, "invoice")
    proof = _own_document(actor, transfer_proof_id, Kind.TRANSFER_PROOF, "transfer_proof")
    materials = materials or {}
    extras = []
    missing = {}
    for name in required_materials(order.enterprise.city_id):
        if not materials.get(name):
            missing[name] = [_("Upload this material first.")]
            continue
        extras.append((name, _own_document(actor, materials[name], Kind.CITY_EXTRA, name)))
    if missing:
        raise ValidationFailed(fields={"materials": missing})
    payment = Payment.objects.create(
        order=order,
        invoice_number=number,
        invoice_date=invoice_date,
        invoice_fen=invoice_fen,
        own_share_fen=own_share_fen,
        voucher_fen=voucher_fen,
        invoice=invoice,
        transfer_proof=proof,
        payer_account=(payer_account or "").strip()[:40],
        payer_account_key=identity.account_key(payer_account),
        submitted_by=actor,
        submitted_at=clock.now(),
    )
    PaymentMaterial.objects.bulk_create(PaymentMaterial(payment=payment, name=n, document=d) for n, d in extras)
    for document, role in ((invoice, "invoice"), (proof, "transfer_proof"), *((d, "city_extra") for _n, d in extras)):
        document_share(document=document, organisations=[order.provider.organisation])
        document_use(document=document, obj=order, role=role)  # the same file on another order → a finding
    vouchers.escrow_mark_payment_submitted(actor=actor, batch_id=order.batch_id, order_id=order.pk)
    _move(
        order,
        S.PAYMENT_SUBMITTED,
        actor,
        "order.payment_submitted",
        after={
            "payment": payment.pk,
            "invoice_number": number,
            "invoice_fen": invoice_fen,
            "own_share_fen": own_share_fen,
            "voucher_fen": voucher_fen,
        },
    )
    _tell_provider(
        order,
        "order.payment_submitted",
        _("Order %(number)s: the enterprise paid with vouchers; check and confirm") % {"number": order.number},
    )
    return payment


@transaction.atomic
def payment_confirm(*, actor, order_id: int) -> Order:
    """The provider confirms receipt after checking the materials. R7 is checked again for the actual amount:
    the reservation becomes received; escrow → the provider's received balance; the difference from the expected
    amount goes back to the wallet (R11)."""
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.PAYMENT_CONFIRMED:
        return order
    _require(order, S.PAYMENT_CONFIRMED)
    _may_receive(order)  # R1: its directory entry must still allow receiving vouchers
    _letter_current(order)
    payment = order.payments.select_for_update().get(status=Payment.Status.SUBMITTED)
    vouchers.cap_receive(
        provider_id=order.provider.organisation_id,
        batch=order.batch,
        reserved_fen=order.reserved_fen,
        received_fen=payment.voucher_fen,
    )
    receipt_total_add(order, sign=1, actual_fen=payment.voucher_fen)  # issue 16: the receipts page's totals
    vouchers.escrow_pay(
        actor=actor,
        batch_id=order.batch_id,
        order_id=order.pk,
        provider_id=order.provider.organisation_id,
        amount_fen=payment.voucher_fen,
    )
    vouchers.escrow_release(actor=actor, batch_id=order.batch_id, order_id=order.pk)  # the difference, if any
    payment.status, payment.decided_by, payment.decided_at = Payment.Status.CONFIRMED, actor, clock.now()
    payment.save(update_fields=["status", "decided_by", "decided_at"])
    order.voucher_fen, order.reserved_fen, order.payment_confirmed_at = payment.voucher_fen, 0, clock.now()
    _move(
        order,
        S.PAYMENT_CONFIRMED,
        actor,
        "order.payment_confirmed",
        fields=["voucher_fen", "reserved_fen", "payment_confirmed_at"],
        after={"voucher_fen": payment.voucher_fen, "expected_voucher_fen": order.expected_voucher_fen},
    )
    _tell_enterprise(
        order,
        "order.payment_confirmed",
        _("Order %(number)s: the provider received your vouchers") % {"number": order.number},
    )
    return order


@transaction.atomic
def payment_reject(*, actor, order_id: int, reason: str) -> Payment:
    """The provider rejects the payment with reasons; the enterprise may submit again while the vouchers are
    valid (R11). Until then the escrow counts as unpaid for R10."""
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.PAYMENT_REJECTED:
        return order.payments.filter(status=Payment.Status.REJECTED).first()
    reason = _reason(reason)
    _require(order, S.PAYMENT_REJECTED)
    payment = order.payments.select_for_update().get(status=Payment.Status.SUBMITTED)
    payment.status, payment.reject_reason = Payment.Status.REJECTED, reason
    payment.decided_by, payment.decided_at = actor, clock.now()
    payment.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    vouchers.escrow_payment_rejected(actor=actor, batch_id=order.batch_id, order_id=order.pk)
    _move(order, S.PAYMENT_REJECTED, actor, "order.payment_rejected", reason=reason, after={"payment": payment.pk})
    _tell_enterprise(
        order,
        "order.payment_rejected",
        _("Order %(number)s: the payment was rejected") % {"number": order.number},
        reason,
    )
    return payment
