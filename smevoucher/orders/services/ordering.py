"""Placing an order and the provider's answer (DESIGN §2 steps 3–4; R2, R7, R11): place, confirm, decline, cancel."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from smevoucher.accounts.models import Organisation
from smevoucher.catalogue import selectors as catalogue
from smevoucher.core import access, audit, clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.enterprises.services import require_approved
from smevoucher.providers.selectors import may_receive_vouchers, may_serve
from smevoucher.vouchers import services as vouchers
from smevoucher.vouchers.models import Batch, Claim

from ..errors import ContractDeadlinePassed, NotAllowedNow, OutOfScope
from ..models import Order
from ._common import (
    ENTERPRISE,
    PROVIDER,
    S,
    _end,
    _letter_current,
    _lock,
    _may_receive,
    _move,
    _positive,
    _reason,
    _require,
    _tell,
    _tell_enterprise,
    _tell_provider,
    order_event,
)


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
        enterprise_name=actor.organisation.name,
        provider_name=provider.organisation.name,
        tier_name=tier.name,
        price_fen=tier.price_fen,
        batch=batch,
        city_id=batch.city_id,
        expected_voucher_fen=expected,
        contract_due=vouchers.contract_deadline(batch, claim) or batch.contract_deadline,
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
    order_event(actor, "order.placed", order)
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
    _letter_current(order)
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


def provider_lapsed(order: Order) -> bool:
    """Issue 15.3: the order is open and its provider may no longer receive vouchers (directory entry expired,
    or suspended under manual 三), so the enterprise may cancel it at any stage."""
    return order.status in Order.OPEN and not may_receive_vouchers(order.provider)


@transaction.atomic
def order_cancel(*, actor, order_id: int) -> Order:
    """The enterprise cancels before its contract is accepted; the vouchers go back to the wallet. Issue 15.3:
    when the provider may no longer receive vouchers, at any open stage; past the order's deadline (R9) its
    vouchers then go to the pool, with the quota given back, and the issuing city's unit is told too."""
    order = _lock(actor, order_id, ENTERPRISE)
    if order.status == S.CANCELLED:
        return order
    lapsed = provider_lapsed(order)
    if order.status not in Order.WITHOUT_CONTRACT and not lapsed:
        raise NotAllowedNow()
    rule = vouchers.R9 if lapsed and clock.now() > order.contract_due else None
    _end(order, S.CANCELLED, actor, "order.cancelled", rule=rule, reason="provider_ineligible" if lapsed else "")
    title = _("Order %(number)s was cancelled") % {"number": order.number}
    _tell_provider(order, "order.cancelled", title)
    if lapsed:
        body = _("The provider may no longer receive vouchers; the enterprise cancelled the order.")
        unit = Organisation.objects.filter(kind=Organisation.Kind.CITY_UNIT, city_id=order.batch.city_id).first()
        if unit is not None:
            _tell(unit, order, "order.cancelled", title, body)
    return order


def tell_provider_suspended(*, provider_id: int) -> int:
    """Manual 三: the enterprises of a suspended provider's open orders are told they may cancel them (one
    notice per order). Returns the number of orders told about."""
    orders = Order.objects.filter(provider_id=provider_id, status__in=Order.OPEN).select_related(
        "enterprise__organisation", "provider__organisation"
    )
    told = 0
    for order in orders.iterator():
        _tell_enterprise(
            order,
            "order.provider_suspended",
            _("Order %(number)s: the provider is suspended") % {"number": order.number},
            _("You may cancel the order; its vouchers go back to your wallet."),
        )
        told += 1
    return told
