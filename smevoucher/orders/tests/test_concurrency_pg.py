"""Real concurrent connections on PostgreSQL: R7 holds when one provider confirms many orders at once near its
cap, and double-clicked confirmations and payments apply once."""

import pytest

from smevoucher.core.models import AuditEvent
from smevoucher.core.testing import run_together
from smevoucher.orders import factories, services
from smevoucher.orders.models import Order, Payment
from smevoucher.vouchers.errors import CapExceeded
from smevoucher.vouchers.models import CapUsage
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 16  # PostgreSQL's connections are shared: stay well below them


def test_many_confirmations_at_once_never_pass_the_cap():
    w = factories.world(total_fen=100_000_00)  # cap ¥10,000
    orders = [factories.place(w, expected_fen=1_500_00) for _ in range(WORKERS - 4)]  # ¥18,000 asked
    services.order_confirm(actor=w.provider_user, order_id=orders[0].pk)  # ¥1,500 already reserved
    calls = [lambda o=o: services.order_confirm(actor=w.provider_user, order_id=o.pk) for o in orders[1:]]
    results = run_together(calls)
    refused = [r for r in results if isinstance(r, CapExceeded)]
    others = [r for r in results if isinstance(r, Exception) and not isinstance(r, CapExceeded)]
    assert others == []
    confirmed = Order.objects.filter(status=Order.Status.CONFIRMED).count()
    assert confirmed == 6 and len(refused) == len(orders) - 6  # 6 × ¥1,500 = ¥9,000 ≤ ¥10,000 < 7 × ¥1,500
    row = CapUsage.objects.get()
    assert row.reserved_fen == 9_000_00 <= row.cap_fen
    assert ledger_problems() == []


def test_a_double_clicked_confirm_applies_once():
    w = factories.world()
    order = factories.place(w)
    results = run_together([lambda: services.order_confirm(actor=w.provider_user, order_id=order.pk)] * 8)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert CapUsage.objects.get().reserved_fen == order.expected_voucher_fen
    assert AuditEvent.objects.filter(action="order.confirmed").count() == 1


def test_a_double_clicked_payment_applies_once():
    w = factories.world()
    order = factories.advance(w, factories.place(w, expected_fen=1_200_00), Order.Status.COMPLETED)
    data = factories.payment_data(w, order, voucher_fen=1_000_00)
    results = run_together([lambda: services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)] * 8)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Payment.objects.count() == 1
    results = run_together([lambda: services.payment_confirm(actor=w.provider_user, order_id=order.pk)] * 8)
    assert [r for r in results if isinstance(r, Exception)] == []
    row = CapUsage.objects.get()
    assert (row.reserved_fen, row.received_fen) == (0, 1_000_00)
    assert AuditEvent.objects.filter(action="order.payment_confirmed").count() == 1
    assert ledger_problems() == []
