"""The ledger primitives the orders app (issue 8) calls; each checks what belongs to the vouchers: the
batch's state, the R8 order deadline, the R10 validity end and the balances (DESIGN §4).

Deadlines hold even if no sweep has run: a wallet past its order deadline or the validity end can never be
earmarked, and unpaid vouchers past the validity end can never be paid, refunded into or spent.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from smevoucher.core import audit, clock
from smevoucher.core.errors import Conflict, ValidationFailed

from ..errors import DeadlinePassed, InsufficientBalance
from ..models import Batch, Claim, LedgerAccount, LedgerTransaction
from . import ledger

Kind = LedgerAccount.Kind


def _amount(fen) -> int:
    if not isinstance(fen, int) or isinstance(fen, bool) or fen <= 0:
        raise ValidationFailed(fields={"amount_fen": [_("Enter an amount above zero.")]})
    return fen


def _spendable_batch(batch_id: int) -> Batch:
    batch = Batch.objects.get(pk=batch_id)
    if batch.status not in (Batch.Status.ALLOCATED, Batch.Status.CLOSED):
        raise Conflict(_("The vouchers of this batch have not been allocated yet."))
    return batch


def wallet_deadline(batch: Batch, claim: Claim | None) -> datetime | None:
    """The moment after which the wallet can no longer be earmarked: the earlier of R8 and R10."""
    if claim is None or claim.order_deadline is None:
        return None
    return min(claim.order_deadline, batch.expires_at)


def contract_deadline(batch: Batch, claim: Claim | None) -> datetime | None:
    """R9: when an order's contract is due: the batch's contract deadline days after the window (or after the
    backfill that gave the vouchers, like R8), and never after the vouchers expire (R10)."""
    if claim is None or claim.order_deadline is None:
        return None
    shift = batch.contract_deadline - batch.order_deadline  # both count from the same day
    return min(claim.order_deadline + shift, batch.expires_at)


def _escrow(batch: Batch, order_id: int) -> LedgerAccount:
    acc = LedgerAccount.objects.filter(batch=batch, kind=Kind.ESCROW, order_id=order_id).first()
    if acc is None:
        raise InsufficientBalance(_("No vouchers are earmarked for this order."))
    return acc


@transaction.atomic
def wallet_earmark(*, actor, batch_id: int, enterprise_id: int, order_id: int, amount_fen: int) -> LedgerTransaction:
    """wallet → the order's escrow (the expected voucher amount of an order). Refused past R8 or R10."""
    amount = _amount(amount_fen)
    batch = _spendable_batch(batch_id)
    claim = Claim.objects.filter(batch=batch, enterprise_id=enterprise_id).first()
    deadline = wallet_deadline(batch, claim)
    if deadline is None:
        raise InsufficientBalance(_("The enterprise holds no vouchers of this batch."))
    if clock.now() > deadline:
        raise DeadlinePassed()
    wallet = ledger.account(batch, Kind.WALLET, enterprise_id=enterprise_id)
    escrow = ledger.account(batch, Kind.ESCROW, enterprise_id=enterprise_id, order_id=order_id)
    if escrow.enterprise_id != enterprise_id:
        raise Conflict(_("This order's vouchers belong to another enterprise."))
    txn = ledger.post(
        batch=batch,
        kind=LedgerTransaction.Kind.EARMARK,
        actor=actor,
        moves=[(wallet, escrow, amount)],
        obj=claim,
        memo=f"order {order_id}",
    )
    audit.record(actor, "voucher.earmarked", claim, after={"order": order_id, "fen": amount})
    return txn


@transaction.atomic
def escrow_release(*, actor, batch_id: int, order_id: int, amount_fen: int | None = None) -> LedgerTransaction | None:
    """escrow → wallet: an order cancelled, or paid with less than was earmarked (R11: the difference returns).
    amount_fen None releases the whole escrow."""
    batch = Batch.objects.get(pk=batch_id)
    escrow = _escrow(batch, order_id)
    wallet = ledger.account(batch, Kind.WALLET, enterprise_id=escrow.enterprise_id)
    txn = ledger.post(
        batch=batch,
        kind=LedgerTransaction.Kind.RELEASE,
        actor=actor,
        moves=[(escrow, wallet, None if amount_fen is None else _amount(amount_fen))],
        memo=f"order {order_id}",
    )
    if txn is not None:
        audit.record(
            actor, "voucher.released", escrow, after={"order": order_id, "fen": ledger.amount_moved(txn, wallet)}
        )
    return txn


@transaction.atomic
def escrow_mark_payment_submitted(*, actor, batch_id: int, order_id: int) -> LedgerAccount:
    """R10: the enterprise submitted its payment; from then on the escrow is not reclaimed at expiry while the
    provider checks the materials. Refused once the vouchers have expired."""
    batch = Batch.objects.get(pk=batch_id)
    escrow = LedgerAccount.objects.select_for_update().get(pk=_escrow(batch, order_id).pk)
    if escrow.payment_submitted_at is None:
        if clock.now() > batch.expires_at:
            raise DeadlinePassed()
        escrow.payment_submitted_at = clock.now()
        escrow.save(update_fields=["payment_submitted_at"])
        audit.record(actor, "voucher.payment_submitted", escrow, after={"order": order_id})
    return escrow


@transaction.atomic
def escrow_payment_rejected(*, actor, batch_id: int, order_id: int) -> LedgerAccount:
    """R10/R11: the provider rejected the submitted payment; until the enterprise submits again the escrow is
    unpaid, so an expiry reclaims it."""
    batch = Batch.objects.get(pk=batch_id)
    escrow = LedgerAccount.objects.select_for_update().get(pk=_escrow(batch, order_id).pk)
    if escrow.payment_submitted_at is not None:
        escrow.payment_submitted_at = None
        escrow.save(update_fields=["payment_submitted_at"])
        audit.record(actor, "voucher.payment_rejected", escrow, after={"order": order_id})
    return escrow


@transaction.atomic
def escrow_pay(*, actor, batch_id: int, order_id: int, provider_id: int, amount_fen: int) -> LedgerTransaction:
    """escrow → the provider's received balance (payment confirmed). Past the validity end only a payment that
    the enterprise submitted in time may still be confirmed (R10)."""
    amount = _amount(amount_fen)
    batch = _spendable_batch(batch_id)
    escrow = _escrow(batch, order_id)
    if clock.now() > batch.expires_at and not (
        escrow.payment_submitted_at and escrow.payment_submitted_at <= batch.expires_at
    ):
        raise DeadlinePassed()
    provider = ledger.account(batch, Kind.PROVIDER, provider_id=provider_id)
    txn = ledger.post(
        batch=batch,
        kind=LedgerTransaction.Kind.PAYMENT,
        actor=actor,
        moves=[(escrow, provider, amount)],
        memo=f"order {order_id}",
    )
    audit.record(actor, "voucher.paid", escrow, after={"order": order_id, "provider": provider_id, "fen": amount})
    return txn


@transaction.atomic
def provider_refund(
    *, actor, batch_id: int, provider_id: int, enterprise_id: int, amount_fen: int, obj=None
) -> LedgerTransaction:
    """provider → the enterprise's wallet (退回支付, R12); impossible once the vouchers have expired."""
    amount = _amount(amount_fen)
    batch = _spendable_batch(batch_id)
    if clock.now() > batch.expires_at:
        raise DeadlinePassed(_("The vouchers have expired; the payment can no longer be refunded."))
    if not Claim.objects.filter(batch=batch, enterprise_id=enterprise_id, allocated_fen__gt=0).exists():
        raise Conflict(_("The enterprise holds no vouchers of this batch."))  # vouchers go back where they came from
    provider = ledger.account(batch, Kind.PROVIDER, provider_id=provider_id)
    wallet = ledger.account(batch, Kind.WALLET, enterprise_id=enterprise_id)
    txn = ledger.post(
        batch=batch, kind=LedgerTransaction.Kind.REFUND, actor=actor, moves=[(provider, wallet, amount)], obj=obj
    )
    audit.record(actor, "voucher.refunded", obj or wallet, after={"provider": provider_id, "fen": amount})
    return txn


@transaction.atomic
def provider_redeem(*, actor, batch_id: int, provider_id: int, amount_fen: int, obj=None) -> LedgerTransaction:
    """provider → redeemed (兑现 approved, R13)."""
    amount = _amount(amount_fen)
    batch = _spendable_batch(batch_id)
    provider = ledger.account(batch, Kind.PROVIDER, provider_id=provider_id)
    redeemed = ledger.account(batch, Kind.REDEEMED)
    txn = ledger.post(
        batch=batch, kind=LedgerTransaction.Kind.REDEMPTION, actor=actor, moves=[(provider, redeemed, amount)], obj=obj
    )
    audit.record(actor, "voucher.redeemed", obj or provider, after={"provider": provider_id, "fen": amount})
    return txn
