"""Placing (R0, R2, R8, R11), confirming (R7 cap), declining and cancelling orders."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core.errors import DomainError, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise
from smevoucher.notices.models import Notification
from smevoucher.orders import factories, services
from smevoucher.orders.errors import ContractDeadlinePassed, OutOfScope
from smevoucher.orders.models import Order
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.vouchers.errors import CapExceeded, DeadlinePassed
from smevoucher.vouchers.factories import approved_enterprise
from smevoucher.vouchers.models import CapUsage, LedgerAccount
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db
S = Order.Status


def balance(batch, kind, **kw):
    acc = LedgerAccount.objects.filter(batch=batch, kind=kind, **kw).first()
    return acc.balance_fen if acc else 0


def cap_row(w):
    return CapUsage.objects.filter(provider=w.provider.organisation, city=w.batch.city, year=w.batch.year).first()


def test_order_place_earmarks_the_expected_amount_and_tells_the_provider(w):
    order = factories.place(w, expected_fen=1_200_00)
    assert order.status == S.PLACED and order.price_fen == 300_000 and order.revision_id == w.revision.pk
    assert balance(w.batch, "escrow", order_id=order.pk) == 1_200_00
    assert balance(w.batch, "wallet", enterprise=w.enterprise) == 20_000_00 - 1_200_00
    assert AuditEvent.objects.filter(action="order.placed", object_id=str(order.pk)).exists()
    assert Notification.objects.filter(user=w.provider_user, event="order.placed").exists()
    assert ledger_problems() == []


def test_order_place_refuses_more_than_the_coverage_limit_of_the_price(w):
    with pytest.raises(ValidationFailed) as exc:
        factories.place(w, expected_fen=1_500_01)  # 50 % of ¥3,000 is ¥1,500
    assert "expected_voucher_fen" in exc.value.fields
    assert not Order.objects.exists()
    assert factories.place(w, expected_fen=1_500_00).expected_voucher_fen == 1_500_00


def test_order_place_refuses_an_enterprise_not_approved(w):
    pending = sign_up_enterprise()
    with pytest.raises(DomainError) as exc:
        factories.place(w, user=enterprise_user(pending))
    assert exc.value.code == "enterprise_not_approved"


def test_order_place_refuses_a_provider_and_a_unit(w):
    for user in (w.provider_user, w.unit):
        with pytest.raises(PermissionDenied):
            factories.place(w, user=user)


def test_order_place_refuses_a_provider_out_of_scope_r2(w):
    foshan = approved_enterprise("440600")
    batch = factories.allocated_batch([(foshan, 5_000_00)], city_code="440600")
    with pytest.raises(OutOfScope):
        services.order_place(
            actor=enterprise_user(foshan),
            revision_id=w.revision.pk,
            tier_id=w.tier().pk,
            batch_id=batch.pk,
            expected_voucher_fen=1_000_00,
        )
    assert not Order.objects.exists()


def test_order_place_refuses_more_than_the_wallet_holds(w):
    factories.place(w, expected_fen=1_500_00, tier=0)
    w2 = factories.world(wallet_fen=1_000_00)
    with pytest.raises(DomainError) as exc:
        factories.place(w2, expected_fen=1_000_01)
    assert exc.value.code == "insufficient_balance"
    assert Order.objects.count() == 1


def test_order_place_r8_deadline_last_second(w):
    with time_machine.travel(w.batch.order_deadline, tick=False):
        factories.place(w)
    with time_machine.travel(w.batch.order_deadline + timedelta(seconds=1), tick=False):
        with pytest.raises(DeadlinePassed):
            factories.place(w)
    assert Order.objects.count() == 1 and ledger_problems() == []


def test_order_confirm_reserves_the_cap_and_tells_the_enterprise(w):
    order = factories.place(w, expected_fen=1_200_00)
    services.order_confirm(actor=w.provider_user, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and order.reserved_fen == 1_200_00
    row = cap_row(w)
    assert (row.reserved_fen, row.received_fen, row.cap_fen) == (1_200_00, 0, 10_000_00)
    assert Notification.objects.filter(user=w.enterprise_user, event="order.confirmed").exists()
    assert AuditEvent.objects.filter(action="order.confirmed").count() == 1


def test_order_confirm_twice_applies_once(w):
    order = factories.place(w)
    services.order_confirm(actor=w.provider_user, order_id=order.pk)
    services.order_confirm(actor=w.provider_user, order_id=order.pk)
    assert cap_row(w).reserved_fen == 1_000_00
    assert AuditEvent.objects.filter(action="order.confirmed").count() == 1


def test_order_confirm_forbidden_actors(w):
    order = factories.place(w)
    other_provider = provider_user_of(approved_provider())
    with pytest.raises(Http404):
        services.order_confirm(actor=other_provider, order_id=order.pk)
    with pytest.raises(Http404):
        services.order_confirm(actor=enterprise_user(approved_enterprise()), order_id=order.pk)
    with pytest.raises(PermissionDenied):
        services.order_confirm(actor=w.enterprise_user, order_id=order.pk)
    with pytest.raises(PermissionDenied):
        services.order_confirm(actor=w.unit, order_id=order.pk)
    with pytest.raises(Http404):
        services.order_confirm(actor=city_unit_user("440600"), order_id=order.pk)
    order.refresh_from_db()
    assert order.status == S.PLACED


def test_order_confirm_refuses_past_the_cap(w):
    # cap: a tenth of ¥100,000 = ¥10,000; six orders of ¥1,500 = ¥9,000 fit, the seventh does not
    orders = [factories.place(w, expected_fen=1_500_00) for _ in range(7)]
    for order in orders[:6]:
        services.order_confirm(actor=w.provider_user, order_id=order.pk)
    with pytest.raises(CapExceeded):
        services.order_confirm(actor=w.provider_user, order_id=orders[6].pk)
    assert cap_row(w).reserved_fen == 9_000_00
    assert Order.objects.get(pk=orders[6].pk).status == S.PLACED
    services.order_cancel(actor=w.enterprise_user, order_id=orders[0].pk)  # gives ¥1,500 back
    services.order_confirm(actor=w.provider_user, order_id=orders[6].pk)
    assert cap_row(w).reserved_fen == 9_000_00


def test_order_confirm_cap_counts_every_batch_of_the_city_in_the_year(w):
    orders = [factories.place(w, expected_fen=1_500_00) for _ in range(7)]
    for order in orders[:6]:
        services.order_confirm(actor=w.provider_user, order_id=order.pk)
    factories.allocated_batch([(approved_enterprise(), 1_000_00)], total_fen=100_000_00)  # the city issues more
    services.order_confirm(actor=w.provider_user, order_id=orders[6].pk)
    assert cap_row(w).cap_fen == 20_000_00


def test_order_confirm_refused_after_the_contract_deadline(w):
    order = factories.place(w)
    with time_machine.travel(order.contract_due + timedelta(seconds=1), tick=False):
        with pytest.raises(ContractDeadlinePassed):
            services.order_confirm(actor=w.provider_user, order_id=order.pk)


def test_order_decline_returns_the_vouchers_to_the_wallet(w):
    order = factories.place(w)
    with pytest.raises(ValidationFailed):
        services.order_decline(actor=w.provider_user, order_id=order.pk, reason=" ")
    services.order_decline(actor=w.provider_user, order_id=order.pk, reason="档期已满")
    order.refresh_from_db()
    assert order.status == S.DECLINED and order.decline_reason == "档期已满"
    assert balance(w.batch, "wallet", enterprise=w.enterprise) == 20_000_00
    assert Notification.objects.filter(user=w.enterprise_user, event="order.declined").exists()
    assert ledger_problems() == []


def test_order_cancel_after_confirmation_releases_escrow_and_cap(w):
    order = factories.place(w)
    services.order_confirm(actor=w.provider_user, order_id=order.pk)
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=w.provider_user, order_id=order.pk)
    services.order_cancel(actor=w.enterprise_user, order_id=order.pk)
    services.order_cancel(actor=w.enterprise_user, order_id=order.pk)  # a double click
    assert balance(w.batch, "wallet", enterprise=w.enterprise) == 20_000_00
    assert cap_row(w).reserved_fen == 0
    assert AuditEvent.objects.filter(action="order.cancelled").count() == 1
    assert ledger_problems() == []


def test_order_cancel_refused_once_the_contract_is_uploaded(w):
    order = factories.advance(w, factories.place(w), S.CONTRACT_UPLOADED)
    with pytest.raises(DomainError) as exc:
        services.order_cancel(actor=w.enterprise_user, order_id=order.pk)
    assert exc.value.code == "order_state"
