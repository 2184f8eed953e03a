import pytest

from smevoucher.demo.seed import seed
from smevoucher.orders.models import Order, RefundRequest
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db


def test_demo_has_an_order_in_every_state_and_seeding_twice_changes_nothing():
    seed()
    seed()
    states = set(Order.objects.values_list("status", flat=True))
    assert states == set(Order.Status.values) - {"reclaimed"}
    assert Order.objects.count() == 13
    assert RefundRequest.objects.filter(status="requested").count() == 1
    assert ledger_problems() == []
