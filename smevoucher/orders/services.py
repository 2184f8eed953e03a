"""Order transitions (DESIGN §2 steps 3–8; R0, R2, R7–R12). One named function per transition: it re-reads the
order under a lock, checks the actor, the state table, the rules and the deadlines, moves the vouchers in the
same transaction, records the audit event and notifies the other side. A repeated request that finds the work
done returns quietly (a double click is not an error).

Lock order everywhere: order → refund request → the provider's cap row → ledger accounts (batch and claim
only inside the vouchers' reclaim), so no two paths deadlock.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from smevoucher.catalogue import selectors as catalogue
from smevoucher.core import access, audit, clock
from smevoucher.core.errors import Conflict, DomainError, ValidationFailed
from smevoucher.documents.models import Document, Kind
from smevoucher.documents.services import document_share, document_use
from smevoucher.enterprises.services import require_approved
from smevoucher.notices.services import notify_organisation
from smevoucher.providers.selectors import may_receive_vouchers, may_serve
from smevoucher.vouchers import services as vouchers
from smevoucher.vouchers.models import Batch, Claim

from .errors import AmountsDoNotMatch, ContractDeadlinePassed, NotAllowedNow, OutOfScope, VouchersExpired
from .models import CityMaterial, Order, Payment, PaymentMaterial, RefundRequest
from .selectors import orders_visible_to

S = Order.Status
ENTERPRISE, PROVIDER = "enterprise", "provider"


# --- helpers ----------------------------------------------------------------------------------------------------


def _lock(actor, order_id, side: str) -> Order:
    """The order re-read under a lock. Not visible to the actor: 404; visible but not this side's step: 403."""
    if not orders_visible_to(actor).filter(pk=order_id).exists():
        raise Http404
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("batch", "enterprise__organisation", "provider__organisation", "provider__entry")
        .get(pk=order_id)
    )
    organisation_id = order.enterprise.organisation_id if side == ENTERPRISE else order.provider.organisation_id
    if not access.belongs_to(actor, organisation_id):
        raise PermissionDenied
    return order


def _require(order: Order, to: str) -> None:
    if not order.may_become(to):
        raise NotAllowedNow()


def _move(order: Order, to: str, actor, action: str, *, fields=(), reason: str = "", after=None) -> Order:
    before = order.status
    _require(order, to)
    order.status = to
    order.save(update_fields=["status", "updated_at", *fields])
    audit.record(actor, action, order, before={"status": before}, after={"status": to, **(after or {})}, reason=reason)
    return order


def _url(order: Order) -> str:
    return reverse("orders:detail", args=[order.pk])


def _tell(organisation, order: Order, event: str, title: str, body: str = "") -> None:
    notify_organisation(organisation, event=event, title=title, body=body, url=_url(order), obj=order)


def _tell_provider(order, event, title, body=""):
    _tell(order.provider.organisation, order, event, title, body)


def _tell_enterprise(order, event, title, body=""):
    _tell(order.enterprise.organisation, order, event, title, body)


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={field: [_("Give the reason.")]})
    return reason[:2000]


def _positive(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValidationFailed(fields={field: [_("Enter an amount above zero.")]})
    return value


def _own_document(actor, document_id, kind: str, field: str) -> Document:
    """A current material of the actor's organisation of this kind, else a field error."""
    document = Document.objects.filter(pk=document_id, organisation_id=actor.organisation_id, kind=kind).first()
    if document is None or not document.is_current:
        raise ValidationFailed(fields={field: [_("Upload this material first.")]})
    return document


def _not_expired(order: Order) -> None:
    if clock.now() > order.batch.expires_at:
        raise VouchersExpired()


def _may_receive(order: Order) -> None:
    if not may_receive_vouchers(order.provider):
        raise Conflict(_("Your organisation may not receive vouchers now."), code="provider_not_eligible")


def _release_cap(order: Order) -> None:
    if order.reserved_fen:
        vouchers.cap_release(
            provider_id=order.provider.organisation_id, batch=order.batch, reserved_fen=order.reserved_fen
        )
        order.reserved_fen = 0


# --- order: place, confirm, decline, cancel --------------------------------------------------------------------


def voucher_maximum_fen(*, batch, price_fen: int, wallet_fen: int) -> int:
    """The most vouchers an order of this price may earmark from this wallet: the batch's coverage limit on the
    price (R11), and no more than the wallet holds (whatever the quota let the enterprise claim)."""
    return max(0, min(batch.coverage_limit_fen(price_fen), wallet_fen))


@transaction.atomic
def order_place(
    *, actor, revision_id: int, tier_id: int, batch_id: int, expected_voucher_fen: int, note: str = ""
) -> Order:
    """An approved enterprise (R0) orders a published revision's tier from a provider that may serve its city
    (R2), earmarking the expected voucher amount from its wallet of the batch: wallet → the order's escrow.
    The amount is at most the batch's coverage limit on the price (R11); R8/R10 deadlines are the wallet's."""
    if access.organisation_kind(actor) != access.ENTERPRISE:
        raise PermissionDenied
    enterprise = require_approved(getattr(actor.organisation, "enterprise", None))
    expected = _positive(expected_voucher_fen, "expected_voucher_fen")
    tier = catalogue.orderable_tier(revision_id=revision_id, tier_id=tier_id)
    revision = tier.revision
    provider = revision.product.provider
    if not (may_serve(provider, enterprise.city_id) and catalogue.serves_enterprise(revision, enterprise)):
        raise OutOfScope()  # R2
    batch = Batch.objects.filter(pk=batch_id, city_id=enterprise.city_id).first()
    claim = Claim.objects.filter(batch=batch, enterprise=enterprise).first() if batch else None
    if batch is None or claim is None:
        raise ValidationFailed(fields={"batch_id": [_("Choose a batch of which you hold vouchers.")]})
    limit = batch.coverage_limit_fen(tier.price_fen)
    if expected > limit:  # R11: the vouchers on one contract cover at most the batch's share of the price
        raise ValidationFailed(
            fields={
                "expected_voucher_fen": [
                    _("At most %(limit)s of vouchers may be used for this price.")
                    % {"limit": f"¥{limit // 100:,}.{limit % 100:02d}"}
                ]
            }
        )
    order = Order.objects.create(
        enterprise=enterprise,
        provider=provider,
        product=revision.product,
        revision=revision,
        tier=tier,
        product_name=revision.name,
        tier_name=tier.name,
        price_fen=tier.price_fen,
        batch=batch,
        expected_voucher_fen=expected,
        contract_due=vouchers.wallet_deadline(batch, claim) or batch.order_deadline,
        note=(note or "").strip()[:2000],
        placed_by=actor,
        placed_at=clock.now(),
    )
    vouchers.wallet_earmark(
        actor=actor, batch_id=batch.pk, enterprise_id=enterprise.pk, order_id=order.pk, amount_fen=expected
    )
    audit.record(
        actor,
        "order.placed",
        order,
        after={
            "status": order.status,
            "revision": revision.pk,
            "tier": tier.pk,
            "price_fen": tier.price_fen,
            "expected_voucher_fen": expected,
            "batch": batch.pk,
        },
    )
    _tell_provider(
        order,
        "order.placed",
        _("New order %(number)s: %(product)s") % {"number": order.number, "product": order.product_name},
    )
    return order


@transaction.atomic
def order_confirm(*, actor, order_id: int) -> Order:
    """The provider confirms; R7: the expected amount is reserved on its cap in the issuing city (a conditional
    UPDATE, so concurrent confirmations never pass the cap together)."""
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.CONFIRMED:
        return order  # a double click
    _require(order, S.CONFIRMED)
    if clock.now() > order.contract_due:
        raise ContractDeadlinePassed()
    _may_receive(order)
    vouchers.cap_reserve(provider_id=order.provider.organisation_id, batch=order.batch, fen=order.expected_voucher_fen)
    order.reserved_fen = order.expected_voucher_fen
    order.confirmed_at = clock.now()
    _move(
        order,
        S.CONFIRMED,
        actor,
        "order.confirmed",
        fields=["reserved_fen", "confirmed_at"],
        after={"reserved_fen": order.reserved_fen},
    )
    _tell_enterprise(
        order,
        "order.confirmed",
        _("Order %(number)s confirmed: upload the contract by %(due)s")
        % {"number": order.number, "due": f"{order.contract_due:%Y-%m-%d %H:%M}"},
    )
    return order


def _end(order: Order, to: str, actor, action: str, *, reason: str = "", fields=(), rule: str | None = None) -> Order:
    """Cancel, decline or reclaim: the escrow goes back to the wallet (or, under a reclaim rule, to the pool or
    reclaimed), the cap reservation is given back."""
    _require(order, to)
    if rule is None:
        vouchers.escrow_release(actor=actor, batch_id=order.batch_id, order_id=order.pk)
    else:
        vouchers.escrow_reclaim(actor=actor, batch_id=order.batch_id, order_id=order.pk, rule=rule)
    _release_cap(order)
    order.closed_at = clock.now()
    return _move(order, to, actor, action, fields=["reserved_fen", "closed_at", *fields], reason=reason)


@transaction.atomic
def order_decline(*, actor, order_id: int, reason: str) -> Order:
    """The provider declines a placed order; the vouchers go back to the wallet."""
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.DECLINED:
        return order
    order.decline_reason = _reason(reason)
    _end(order, S.DECLINED, actor, "order.declined", reason=order.decline_reason, fields=["decline_reason"])
    _tell_enterprise(
        order, "order.declined", _("Order %(number)s was declined") % {"number": order.number}, order.decline_reason
    )
    return order


@transaction.atomic
def order_cancel(*, actor, order_id: int) -> Order:
    """The enterprise cancels before its contract is accepted; the vouchers go back to the wallet."""
    order = _lock(actor, order_id, ENTERPRISE)
    if order.status == S.CANCELLED:
        return order
    _end(order, S.CANCELLED, actor, "order.cancelled")
    _tell_provider(order, "order.cancelled", _("Order %(number)s was cancelled") % {"number": order.number})
    return order


# --- contract --------------------------------------------------------------------------------------------------


@transaction.atomic
def contract_upload(*, actor, order_id: int, document_id: int) -> Order:
    """The enterprise uploads the service contract before the R9 deadline; it is shared with the provider."""
    order = _lock(actor, order_id, ENTERPRISE)
    if order.status == S.CONTRACT_UPLOADED and order.contract_id == document_id:
        return order
    _require(order, S.CONTRACT_UPLOADED)
    if clock.now() > order.contract_due:
        raise ContractDeadlinePassed()  # R9
    document = _own_document(actor, document_id, Kind.CONTRACT, "contract")
    document_share(document=document, organisations=[order.provider.organisation])
    document_use(document=document, obj=order, role="contract")
    order.contract = document
    order.contract_uploaded_at = clock.now()
    order.contract_return_reason = ""
    _move(
        order,
        S.CONTRACT_UPLOADED,
        actor,
        "order.contract_uploaded",
        fields=["contract", "contract_uploaded_at", "contract_return_reason"],
        after={"document": document.pk},
    )
    _tell_provider(
        order,
        "order.contract_uploaded",
        _("Order %(number)s: the contract is uploaded for your check") % {"number": order.number},
    )
    return order


@transaction.atomic
def contract_confirm(*, actor, order_id: int) -> Order:
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.CONTRACT_CONFIRMED:
        return order
    order.contract_confirmed_at = clock.now()
    _move(order, S.CONTRACT_CONFIRMED, actor, "order.contract_confirmed", fields=["contract_confirmed_at"])
    _tell_enterprise(
        order,
        "order.contract_confirmed",
        _("Order %(number)s: the provider confirmed the contract") % {"number": order.number},
    )
    return order


@transaction.atomic
def contract_return(*, actor, order_id: int, reason: str) -> Order:
    """The provider returns the contract with a reason; the enterprise uploads a corrected one (R9 still runs)."""
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.CONTRACT_RETURNED:
        return order
    order.contract_return_reason = _reason(reason)
    _move(
        order,
        S.CONTRACT_RETURNED,
        actor,
        "order.contract_returned",
        fields=["contract_return_reason"],
        reason=order.contract_return_reason,
    )
    _tell_enterprise(
        order,
        "order.contract_returned",
        _("Order %(number)s: the contract was returned") % {"number": order.number},
        order.contract_return_reason,
    )
    return order


# --- service completed -----------------------------------------------------------------------------------------


@transaction.atomic
def order_complete(*, actor, order_id: int, completed_on: date) -> Order:
    """The provider marks the service completed; R11: the day must fall in the batch's qualifying period."""
    order = _lock(actor, order_id, PROVIDER)
    if order.status == S.COMPLETED:
        return order
    _require(order, S.COMPLETED)
    _not_expired(order)
    batch = order.batch
    if not isinstance(completed_on, date) or completed_on > clock.today():
        raise ValidationFailed(
            fields={"completed_on": [_("Enter the day the service was completed (not later than today).")]}
        )
    if not batch.service_start <= completed_on <= batch.service_end:
        raise ValidationFailed(
            fields={
                "completed_on": [
                    _("Only a service completed between %(start)s and %(end)s can be paid with these vouchers.")
                    % {"start": batch.service_start, "end": batch.service_end}
                ]
            },
            code="outside_service_period",
        )
    order.completed_on = completed_on
    order.completed_at = clock.now()
    _move(
        order,
        S.COMPLETED,
        actor,
        "order.completed",
        fields=["completed_on", "completed_at"],
        after={"completed_on": completed_on.isoformat()},
    )
    _tell_enterprise(
        order,
        "order.completed",
        _("Order %(number)s: the service is completed; pay with your vouchers") % {"number": order.number},
    )
    return order


# --- payment and receipt ---------------------------------------------------------------------------------------


def required_materials(city_id: int, purpose: str = CityMaterial.Purpose.PAYMENT) -> list[str]:
    return list(CityMaterial.objects.filter(city_id=city_id, purpose=purpose).values_list("name", flat=True))


@transaction.atomic
def city_materials_set(*, actor, purpose: str, names: list[str]) -> list[str]:
    """A city unit sets the extra materials its city requires (per purpose), in order."""
    if not access.is_city_unit(actor):
        raise PermissionDenied
    if purpose not in CityMaterial.Purpose.values:
        raise ValidationFailed(fields={"purpose": [_("Choose what the materials are for.")]})
    clean = []
    for name in names:
        name = (name or "").strip()[:100]
        if name and name not in clean:
            clean.append(name)
    city_id = actor.organisation.city_id
    before = required_materials(city_id, purpose)
    CityMaterial.objects.filter(city_id=city_id, purpose=purpose).delete()
    CityMaterial.objects.bulk_create(
        CityMaterial(city_id=city_id, purpose=purpose, name=name, position=i) for i, name in enumerate(clean)
    )
    audit.record(
        actor, "orders.city_materials_set", actor.organisation, before={purpose: before}, after={purpose: clean}
    )
    return clean


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
    payment = order.payments.select_for_update().get(status=Payment.Status.SUBMITTED)
    vouchers.cap_receive(
        provider_id=order.provider.organisation_id,
        batch=order.batch,
        reserved_fen=order.reserved_fen,
        received_fen=payment.voucher_fen,
    )
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


# --- refund (R12) ----------------------------------------------------------------------------------------------


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
    from .selectors import refunds_visible_to

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


# --- deadlines (R9, R10) ---------------------------------------------------------------------------------------


@transaction.atomic
def order_reclaim(*, order_id: int) -> Order | None:
    """R9: an order still without an accepted contract after its deadline is cancelled and its escrow reclaimed;
    R10: an unpaid order past the validity end likewise. Returns None when the order has moved on (safe twice)."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("batch", "enterprise__organisation", "provider__organisation")
        .get(pk=order_id)
    )
    now = clock.now()
    expired = now > order.batch.expires_at
    if order.status in Order.WITHOUT_CONTRACT and now > order.contract_due:
        rule = vouchers.R10 if expired else vouchers.R9
    elif expired and (order.status in Order.UNPAID or order.status == S.PAYMENT_REJECTED):
        rule = vouchers.R10
    else:
        return None
    _end(order, S.RECLAIMED, None, f"order.reclaimed_{rule}", rule=rule)
    body = _("The vouchers of order %(number)s were reclaimed.") % {"number": order.number}
    _tell_enterprise(order, "order.reclaimed", body)
    _tell_provider(order, "order.reclaimed", body)
    return order


def order_deadline_sweep(*, limit: int | None = None) -> int:
    """Apply R9/R10 to every order past its deadline; each order in its own transaction. Safe to run twice."""
    now = clock.now()
    due = Order.objects.filter(status__in=Order.WITHOUT_CONTRACT, contract_due__lt=now) | Order.objects.filter(
        status__in=[*Order.UNPAID, S.PAYMENT_REJECTED], batch__validity_end__lt=now.date()
    )
    done = 0
    for order_id in due.values_list("pk", flat=True).order_by("pk")[:limit]:
        if order_reclaim(order_id=order_id) is not None:
            done += 1
    return done
