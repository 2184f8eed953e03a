"""Issue 15.3: the enterprise may cancel any open order whose provider can no longer receive vouchers (suspended
under manual 三, or its directory entry expired), even after the contract is confirmed; its vouchers go back to
the wallet, or past the order deadline to the pool with the quota given back; both sides and the unit are told."""

from datetime import timedelta

import pytest
import time_machine

from smevoucher.accounts.factories import logged_in_client, province_user
from smevoucher.core import clock
from smevoucher.core.models import AuditEvent
from smevoucher.notices.models import Notification
from smevoucher.orders import factories, services
from smevoucher.orders.errors import NotAllowedNow
from smevoucher.orders.models import Order
from smevoucher.providers.services import provider_suspend
from smevoucher.vouchers.models import CapUsage, Claim, LedgerAccount
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db
S = Order.Status


def balance(batch, kind, **kw):
    acc = LedgerAccount.objects.filter(batch=batch, kind=kind, **kw).first()
    return acc.balance_fen if acc else 0


def suspend(w):
    provider_suspend(
        actor=province_user(), provider_id=w.provider.pk, reason="违规", until=clock.today() + timedelta(days=365)
    )


def test_an_eligible_providers_contract_confirmed_order_cannot_be_cancelled(w):
    order = factories.advance(w, factories.place(w), S.CONTRACT_CONFIRMED)
    with pytest.raises(NotAllowedNow):
        services.order_cancel(actor=w.enterprise_user, order_id=order.pk)
    assert not services.provider_lapsed(order)


@pytest.mark.parametrize("stage", [S.CONTRACT_UPLOADED, S.CONTRACT_CONFIRMED, S.COMPLETED, S.PAYMENT_SUBMITTED])
def test_a_suspended_providers_open_order_is_cancelled_with_the_vouchers_back_in_the_wallet(w, stage):
    wallet = balance(w.batch, "wallet", enterprise_id=w.enterprise.pk)
    order = factories.advance(w, factories.place(w, expected_fen=1_200_00), stage)
    suspend(w)
    services.order_cancel(actor=w.enterprise_user, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == S.CANCELLED and order.reserved_fen == 0
    assert balance(w.batch, "escrow", order_id=order.pk) == 0
    assert balance(w.batch, "wallet", enterprise_id=w.enterprise.pk) == wallet
    assert CapUsage.objects.get(provider=w.provider.organisation).reserved_fen == 0
    assert AuditEvent.objects.get(action="order.cancelled").reason == "provider_ineligible"
    assert ledger_problems() == []


def test_both_sides_and_the_issuing_citys_unit_are_told(w):
    order = factories.advance(w, factories.place(w), S.CONTRACT_CONFIRMED)
    suspend(w)
    services.order_cancel(actor=w.enterprise_user, order_id=order.pk)
    assert Notification.objects.filter(user=w.provider_user, event="order.cancelled").exists()
    assert Notification.objects.filter(user=w.unit, event="order.cancelled").exists()


def test_an_expired_directory_entry_lets_the_enterprise_cancel_too(w):
    order = factories.advance(w, factories.place(w), S.COMPLETED)
    entry = w.provider.entry
    entry.valid_until = clock.today() - timedelta(days=1)  # e.g. the 2017 provincial platforms after 2020
    entry.save(update_fields=["valid_until"])
    order = Order.objects.get(pk=order.pk)
    assert services.provider_lapsed(order)
    services.order_cancel(actor=w.enterprise_user, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == S.CANCELLED


def test_past_the_order_deadline_the_vouchers_go_to_the_pool_and_the_quota_comes_back(w):
    order = factories.advance(w, factories.place(w, expected_fen=1_000_00), S.CONTRACT_CONFIRMED)
    suspend(w)
    claim = Claim.objects.get(batch=w.batch, enterprise=w.enterprise)
    wallet, returned = balance(w.batch, "wallet", enterprise_id=w.enterprise.pk), claim.quota_returned_fen
    with time_machine.travel(order.contract_due + timedelta(minutes=1), tick=False):
        services.order_cancel(actor=w.enterprise_user, order_id=order.pk)
    assert balance(w.batch, "wallet", enterprise_id=w.enterprise.pk) == wallet
    assert balance(w.batch, "escrow", order_id=order.pk) == 0
    claim.refresh_from_db()
    assert claim.quota_returned_fen == returned + 1_000_00
    assert ledger_problems() == []


def test_a_paid_order_is_not_cancelled(w):
    order = factories.advance(w, factories.place(w), S.PAYMENT_CONFIRMED)
    suspend(w)
    with pytest.raises(NotAllowedNow):
        services.order_cancel(actor=w.enterprise_user, order_id=order.pk)


def test_the_order_page_offers_the_cancel_to_the_enterprise(w):
    order = factories.advance(w, factories.place(w), S.CONTRACT_CONFIRMED)
    client = logged_in_client(w.enterprise_user)
    assert 'data-testid="provider-lapsed"' not in client.get(f"/orders/{order.pk}/").content.decode()
    suspend(w)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="provider-lapsed"' in page and f"/orders/{order.pk}/cancel/" in page
    response = client.post(f"/api/v1/orders/{order.pk}/cancel/")
    assert response.status_code == 200 and Order.objects.get(pk=order.pk).status == S.CANCELLED
