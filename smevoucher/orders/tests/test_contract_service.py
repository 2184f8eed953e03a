"""Contract upload (R9 deadline), confirm/return, the R9/R10 sweep, and service completion (qualifying period)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404

from smevoucher.core import clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.notices.models import Notification
from smevoucher.orders import factories, services
from smevoucher.orders.errors import ContractDeadlinePassed, VouchersExpired
from smevoucher.orders.models import Order
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.vouchers.factories import approved_enterprise
from smevoucher.vouchers.models import CapUsage, LedgerAccount
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db
S = Order.Status


def balance(batch, kind, **kw):
    acc = LedgerAccount.objects.filter(batch=batch, kind=kind, **kw).first()
    return acc.balance_fen if acc else 0


def confirmed(w, **kw):
    return factories.advance(w, factories.place(w, **kw), S.CONFIRMED)


def test_contract_upload_shares_the_contract_with_the_provider(w):
    order = confirmed(w)
    contract = factories.material(w.enterprise_user, "contract", "合同")
    services.contract_upload(actor=w.enterprise_user, order_id=order.pk, document_id=contract.pk)
    services.contract_upload(actor=w.enterprise_user, order_id=order.pk, document_id=contract.pk)  # double click
    order.refresh_from_db()
    assert order.status == S.CONTRACT_UPLOADED and order.contract_id == contract.pk
    assert w.provider.organisation in contract.shared_with.all()
    assert AuditEvent.objects.filter(action="order.contract_uploaded").count() == 1
    assert Notification.objects.filter(user=w.provider_user, event="order.contract_uploaded").exists()


def test_contract_upload_refuses_a_document_of_another_kind_or_organisation(w):
    order = confirmed(w)
    invoice = factories.material(w.enterprise_user, "invoice")
    other = factories.material(enterprise_user(approved_enterprise()), "contract")
    for document in (invoice, other):
        with pytest.raises(ValidationFailed):
            services.contract_upload(actor=w.enterprise_user, order_id=order.pk, document_id=document.pk)
    assert Order.objects.get(pk=order.pk).status == S.CONFIRMED


def test_contract_upload_forbidden_actors(w):
    order = confirmed(w)
    contract = factories.material(w.enterprise_user, "contract")
    with pytest.raises(Http404):
        services.contract_upload(
            actor=enterprise_user(approved_enterprise()), order_id=order.pk, document_id=contract.pk
        )
    with pytest.raises(PermissionDenied):
        services.contract_upload(actor=w.provider_user, order_id=order.pk, document_id=contract.pk)


def test_contract_upload_r9_deadline_last_second(w):
    first, second = confirmed(w), confirmed(w)
    with time_machine.travel(first.contract_due, tick=False):
        factories.advance(w, first, S.CONTRACT_UPLOADED)
    contract = factories.material(w.enterprise_user, "contract")
    with time_machine.travel(second.contract_due + timedelta(seconds=1), tick=False):
        with pytest.raises(ContractDeadlinePassed):
            services.contract_upload(actor=w.enterprise_user, order_id=second.pk, document_id=contract.pk)


def test_contract_return_then_upload_again_then_confirm(w):
    order = factories.advance(w, confirmed(w), S.CONTRACT_UPLOADED)
    with pytest.raises(PermissionDenied):
        services.contract_return(actor=w.enterprise_user, order_id=order.pk, reason="x")
    with pytest.raises(ValidationFailed):
        services.contract_return(actor=w.provider_user, order_id=order.pk, reason="")
    services.contract_return(actor=w.provider_user, order_id=order.pk, reason="缺少盖章页")
    order.refresh_from_db()
    assert order.status == S.CONTRACT_RETURNED and order.contract_return_reason == "缺少盖章页"
    assert Notification.objects.filter(user=w.enterprise_user, event="order.contract_returned").exists()
    factories.advance(w, order, S.CONTRACT_UPLOADED)  # a corrected contract
    with pytest.raises(Http404):
        services.contract_confirm(actor=provider_user_of(approved_provider()), order_id=order.pk)
    services.contract_confirm(actor=w.provider_user, order_id=order.pk)
    services.contract_confirm(actor=w.provider_user, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == S.CONTRACT_CONFIRMED
    assert AuditEvent.objects.filter(action="order.contract_confirmed").count() == 1


def test_r9_sweep_cancels_orders_without_contract_and_reclaims_to_the_pool(w):
    placed, waiting = factories.place(w, expected_fen=500_00), confirmed(w, expected_fen=700_00)
    done = factories.advance(w, confirmed(w, expected_fen=900_00), S.CONTRACT_UPLOADED)
    pool = balance(w.batch, "pool")
    with time_machine.travel(placed.contract_due, tick=False):
        assert services.order_deadline_sweep() == 0
    with time_machine.travel(placed.contract_due + timedelta(seconds=1), tick=False):
        call_command("order_deadline_sweep", verbosity=0)
        assert services.order_deadline_sweep() == 0  # twice: nothing more
    for order in (placed, waiting):
        order.refresh_from_db()
        assert order.status == S.RECLAIMED and balance(w.batch, "escrow", order_id=order.pk) == 0
    assert Order.objects.get(pk=done.pk).status == S.CONTRACT_UPLOADED
    assert balance(w.batch, "pool") >= pool  # reclaimed to the pool (then backfilled to waiting claims, if any)
    cap = CapUsage.objects.get(provider=w.provider.organisation)
    assert cap.reserved_fen == 900_00
    assert AuditEvent.objects.filter(action="order.reclaimed_r9").count() == 2
    assert Notification.objects.filter(user=w.enterprise_user, event="order.reclaimed").exists()
    assert ledger_problems() == []


def test_r10_sweep_reclaims_unpaid_orders_after_expiry(w):
    order = factories.advance(w, factories.place(w), S.COMPLETED)
    paid = factories.advance(w, factories.place(w), S.PAYMENT_SUBMITTED)
    with time_machine.travel(w.batch.expires_at + timedelta(seconds=1), tick=False):
        assert services.order_deadline_sweep() == 1
    assert Order.objects.get(pk=order.pk).status == S.RECLAIMED
    assert Order.objects.get(pk=paid.pk).status == S.PAYMENT_SUBMITTED  # submitted in time: the provider decides
    assert balance(w.batch, "reclaimed") == 1_000_00
    assert ledger_problems() == []


def test_order_complete_within_the_qualifying_period(w):
    order = factories.advance(w, confirmed(w), S.CONTRACT_CONFIRMED)
    with pytest.raises(PermissionDenied):
        services.order_complete(actor=w.enterprise_user, order_id=order.pk, completed_on=clock.today())
    with pytest.raises(ValidationFailed) as exc:
        services.order_complete(
            actor=w.provider_user, order_id=order.pk, completed_on=w.batch.service_start - timedelta(days=1)
        )
    assert exc.value.code == "outside_service_period"
    with pytest.raises(ValidationFailed):
        services.order_complete(actor=w.provider_user, order_id=order.pk, completed_on=clock.today() + timedelta(1))
    services.order_complete(actor=w.provider_user, order_id=order.pk, completed_on=w.batch.service_start)
    services.order_complete(actor=w.provider_user, order_id=order.pk, completed_on=w.batch.service_start)
    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.completed_on == w.batch.service_start
    assert Notification.objects.filter(user=w.enterprise_user, event="order.completed").exists()


def test_order_complete_refused_after_expiry(w):
    order = factories.advance(w, confirmed(w), S.CONTRACT_CONFIRMED)
    with time_machine.travel(w.batch.expires_at + timedelta(seconds=1), tick=False):
        with pytest.raises(VouchersExpired):
            services.order_complete(actor=w.provider_user, order_id=order.pk, completed_on=w.batch.service_start)


def test_contract_reminders_7_and_1_days_before_once_each(w):
    from smevoucher.orders.reminders import order_send_reminders

    order = confirmed(w)
    factories.advance(w, confirmed(w), S.CONTRACT_UPLOADED)  # has its contract: no reminder
    due = order.contract_due
    with time_machine.travel(due - timedelta(days=8), tick=False):
        assert order_send_reminders() == 0
    with time_machine.travel(due - timedelta(days=7), tick=False):
        assert order_send_reminders() == 1
        assert order_send_reminders() == 0
    with time_machine.travel(due - timedelta(hours=20), tick=False):
        call_command("send_order_reminders", verbosity=0)
        assert order_send_reminders() == 0
    reminders = Notification.objects.filter(event="order.reminder_contract")
    assert reminders.filter(user=w.enterprise_user).count() == 2
    assert reminders.filter(user=w.provider_user).count() == 2
