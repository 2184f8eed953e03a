"""Real concurrent connections on PostgreSQL: R13 "a payment is in at most one live application" holds when
several applications race for the same payments, and a double-clicked approval redeems once."""

import pytest

from smevoucher.core.models import AuditEvent
from smevoucher.core.testing import run_together
from smevoucher.orders import factories as orders
from smevoucher.redemption import factories, services
from smevoucher.redemption.errors import PaymentTaken
from smevoucher.redemption.models import Application, Line
from smevoucher.vouchers.models import LedgerAccount
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8  # PostgreSQL's connections are shared with other test runs: stay well below them


def test_one_payment_goes_into_one_live_application_when_many_race():
    w = orders.world()
    payments = factories.confirmed_payments(w, 2)
    ids = [p.pk for p in payments]
    calls = [
        lambda: services.application_create(actor=w.provider_user, city_id=w.batch.city_id, payment_ids=ids)
    ] * WORKERS
    results = run_together(calls)
    created = [r for r in results if isinstance(r, Application)]
    refused = [r for r in results if isinstance(r, PaymentTaken)]
    assert len(created) == 1 and len(refused) == WORKERS - 1
    for payment in payments:
        assert Line.objects.filter(payment=payment, live=True).count() == 1


def test_a_double_clicked_approval_redeems_once():
    w = orders.world()
    application = factories.submitted(w, factories.confirmed_payments(w, 2))
    results = run_together(
        [lambda: services.application_approve(actor=w.unit, application_id=application.pk)] * WORKERS
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert LedgerAccount.objects.get(batch=w.batch, kind="redeemed").balance_fen == 2_500_00
    assert AuditEvent.objects.filter(action="redemption.approved").count() == 1
    assert ledger_problems() == []
