from dataclasses import dataclass

import pytest

from smevoucher.accounts.factories import city, city_unit_user, province_user
from smevoucher.catalogue.factories import published_product
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.orders import factories as orders
from smevoucher.orders import services as order_services
from smevoucher.orders.models import Order
from smevoucher.redemption import factories as redemption
from smevoucher.vouchers.factories import approved_enterprise

SHENZHEN = "440300"


@dataclass
class TwoCities:
    gz: orders.World  # Guangzhou: an order redeemed, an order with a refund request, an order just placed
    sz: orders.World  # Shenzhen: one order placed, with the same provider
    gz_orders: list
    sz_order: Order
    application: object
    refund: object
    province: object


def shenzhen_world(provider) -> orders.World:
    product = published_product(provider, regions=[city(SHENZHEN).pk])
    enterprise = approved_enterprise(SHENZHEN)
    batch = orders.allocated_batch([(enterprise, 20_000_00)], city_code=SHENZHEN, total_fen=100_000_00)
    return orders.World(
        batch=batch,
        enterprise=enterprise,
        enterprise_user=enterprise_user(enterprise),
        provider=provider,
        provider_user=orders.provider_user_of(provider),
        product=product,
        unit=city_unit_user(SHENZHEN),
    )


@pytest.fixture
def two(db):
    gz = orders.world()
    redeemed, refunded = redemption.confirmed_payments(gz, 2)
    application = redemption.submitted(gz, [redeemed])
    refund = order_services.refund_request(actor=gz.provider_user, order_id=refunded.order_id, reason="服务未完成")
    placed = orders.place(gz, expected_fen=500_00)
    sz = shenzhen_world(gz.provider)
    sz_order = orders.place(sz, expected_fen=700_00)
    return TwoCities(
        gz=gz,
        sz=sz,
        gz_orders=[redeemed.order, refunded.order, placed],
        sz_order=sz_order,
        application=application,
        refund=refund,
        province=province_user(),
    )
