"""A whole scheme flow through the real services, for the reporting tests: claims, allocation, orders, a refund, a
redemption and reclaims (R8 to the pool, R10 to reclaimed)."""

from dataclasses import dataclass
from datetime import timedelta

from smevoucher.accounts.factories import city_unit_user
from smevoucher.accounts.models import City
from smevoucher.catalogue.factories import published_product
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.orders import factories as orders
from smevoucher.orders import services as order_services
from smevoucher.orders.models import Order
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.redemption import factories as redemption
from smevoucher.redemption import services as redemption_services
from smevoucher.vouchers import services as voucher_services
from smevoucher.vouchers.factories import approved_enterprise
from smevoucher.vouchers.models import Claim


@dataclass
class Flow:
    world: orders.World
    enterprises: list
    paid: Order  # received, then redeemed
    refunded: Order
    in_escrow: Order
    short_paid: Order  # received for less than expected, not redeemed


def scheme_flow(*, city_code: str = "440100", expire: bool = True) -> Flow:
    """Three enterprises claim (one priority), the batch is allocated; the first orders four times: one order is
    paid and redeemed, one paid and refunded, one paid for less than expected, one waits in escrow. The second
    enterprise's unused wallet is reclaimed under R8 (back to the pool); with `expire`, after the validity end the
    third's wallet is reclaimed under R10 (to reclaimed)."""
    provider = approved_provider(level="provincial")
    product = published_product(
        provider, regions=list(City.objects.filter(code=city_code).values_list("pk", flat=True))
    )
    e1 = approved_enterprise(city_code, tags=["zjtx"])
    e2 = approved_enterprise(city_code)
    e3 = approved_enterprise(city_code)
    batch = orders.allocated_batch(
        [(e1, 20_000_00), (e2, 6_000_00), (e3, 4_000_00)], city_code=city_code, total_fen=100_000_00
    )
    unit = city_unit_user(city_code)
    w = orders.World(
        batch=batch,
        enterprise=e1,
        enterprise_user=enterprise_user(e1),
        provider=provider,
        provider_user=provider_user_of(provider),
        product=product,
        unit=unit,
    )
    paid = orders.advance(
        w, orders.place(w, expected_fen=1_000_00), Order.Status.PAYMENT_CONFIRMED, invoice_number="NO00000001"
    )
    refunded = orders.advance(
        w, orders.place(w, expected_fen=1_200_00), Order.Status.PAYMENT_CONFIRMED, invoice_number="NO00000002"
    )
    short_paid = orders.advance(
        w,
        orders.place(w, expected_fen=1_500_00),
        Order.Status.PAYMENT_CONFIRMED,
        invoice_number="NO00000003",
        voucher_fen=1_100_00,
    )
    in_escrow = orders.advance(w, orders.place(w, expected_fen=900_00), Order.Status.CONFIRMED)

    refund = order_services.refund_request(actor=w.provider_user, order_id=refunded.pk, reason="双方协商退回。")
    order_services.refund_approve(actor=unit, refund_id=refund.pk)

    application = redemption.submitted(w, [paid.payments.get(status="confirmed")])
    redemption_services.application_approve(actor=unit, application_id=application.pk)

    claim2 = Claim.objects.get(batch=batch, enterprise=e2)
    with orders.at(claim2.order_deadline + timedelta(minutes=1)):
        voucher_services.wallet_reclaim(actor=None, batch_id=batch.pk, enterprise_id=e2.pk, rule=voucher_services.R8)
    if expire:
        with orders.at(batch.expires_at + timedelta(minutes=1)):
            voucher_services.wallet_reclaim(
                actor=None, batch_id=batch.pk, enterprise_id=e3.pk, rule=voucher_services.R10
            )
    for order in (paid, refunded, in_escrow, short_paid):
        order.refresh_from_db()
    return Flow(w, [e1, e2, e3], paid, refunded, in_escrow, short_paid)
