"""Payment (R11 cross-checks, city materials, duplicates), receipt (R7 again, difference back), rejection and
resubmission, refunds (R12)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from smevoucher.accounts.factories import city_unit_user, province_user
from smevoucher.core.errors import DomainError, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.notices.models import Notification
from smevoucher.orders import factories, selectors, services
from smevoucher.orders.errors import VouchersExpired
from smevoucher.orders.models import Order, Payment, ReceiptTotal, RefundRequest
from smevoucher.orders.selectors import receipt_totals_mismatches
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


def completed(w, expected_fen=1_200_00):
    return factories.advance(w, factories.place(w, expected_fen=expected_fen), S.COMPLETED)


def cap(w):
    return CapUsage.objects.get(provider=w.provider.organisation, city=w.batch.city, year=w.batch.year)


def test_payment_submit_records_the_payment_and_marks_the_escrow(w):
    order = completed(w)
    data = factories.payment_data(w, order, voucher_fen=1_000_00)
    payment = services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)
    again = services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)  # a double click
    assert again.pk == payment.pk and Payment.objects.count() == 1
    order.refresh_from_db()
    assert order.status == S.PAYMENT_SUBMITTED
    assert (payment.invoice_fen, payment.own_share_fen, payment.voucher_fen) == (300_000, 200_000, 1_000_00)
    assert LedgerAccount.objects.get(kind="escrow", order_id=order.pk).payment_submitted_at is not None
    assert w.provider.organisation in payment.invoice.shared_with.all()
    assert Notification.objects.filter(user=w.provider_user, event="order.payment_submitted").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"own_share_fen": 100_000}, "amounts_do_not_match"),  # invoice ≠ own share + vouchers
        ({"voucher_fen": 1_300_00, "own_share_fen": 170_000}, "above_expected"),
        ({"invoice_fen": 0}, "validation_error"),
        ({"invoice_number": ""}, "validation_error"),
    ],
)
def test_payment_submit_cross_checks_the_amounts(w, change, code):
    order = completed(w)
    data = {**factories.payment_data(w, order, voucher_fen=1_000_00), **change}
    with pytest.raises(DomainError) as exc:
        services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)
    assert exc.value.code == code
    assert not Payment.objects.exists() and Order.objects.get(pk=order.pk).status == S.COMPLETED


def test_payment_submit_coverage_limit_on_the_invoice(w):
    order = completed(w, expected_fen=1_500_00)
    # a smaller invoice than the price: 50 % of ¥2,000 is ¥1,000
    data = {
        **factories.payment_data(w, order),
        "invoice_fen": 200_000,
        "own_share_fen": 200_000 - 1_000_01,
        "voucher_fen": 1_000_01,
    }
    with pytest.raises(DomainError) as exc:
        services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)
    assert exc.value.code == "above_coverage_limit"
    data.update(own_share_fen=100_000, voucher_fen=1_000_00)
    services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)


def test_payment_submit_requires_the_city_materials(w):
    services.city_materials_set(actor=w.unit, purpose="payment", names=["服务验收单", " ", "服务验收单"])
    assert services.required_materials(w.enterprise.city_id) == ["服务验收单"]
    order = completed(w)
    data = factories.payment_data(w, order)
    with pytest.raises(ValidationFailed) as exc:
        services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)
    assert "服务验收单" in exc.value.fields["materials"]
    extra = factories.material(w.enterprise_user, "city_extra", "验收单")
    payment = services.payment_submit(
        actor=w.enterprise_user, order_id=order.pk, materials={"服务验收单": extra.pk}, **data
    )
    assert [m.name for m in payment.materials.all()] == ["服务验收单"]


def test_city_materials_only_by_a_city_unit(w):
    for user in (w.enterprise_user, w.provider_user, province_user()):
        with pytest.raises(PermissionDenied):
            services.city_materials_set(actor=user, purpose="payment", names=["x"])


def test_payment_submit_forbidden_actors_and_expiry(w):
    order = completed(w)
    data = factories.payment_data(w, order)
    with pytest.raises(PermissionDenied):
        services.payment_submit(actor=w.provider_user, order_id=order.pk, **data)
    with pytest.raises(Http404):
        services.payment_submit(actor=enterprise_user(approved_enterprise()), order_id=order.pk, **data)
    with time_machine.travel(w.batch.expires_at + timedelta(seconds=1), tick=False):
        with pytest.raises(VouchersExpired):
            services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)
    with time_machine.travel(w.batch.expires_at, tick=False):
        services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)


def test_same_invoice_number_on_two_orders_is_shown(w):
    first, second = completed(w), completed(w)
    services.payment_submit(
        actor=w.enterprise_user, order_id=first.pk, **factories.payment_data(w, first, invoice_number="fp001")
    )
    payment = services.payment_submit(
        actor=w.enterprise_user, order_id=second.pk, **factories.payment_data(w, second, invoice_number="FP001")
    )
    assert selectors.duplicate_invoices(payment, viewer=w.provider_user) == [Order.objects.get(pk=first.pk)]


def test_payment_confirm_pays_the_actual_amount_and_returns_the_difference(w):
    order = completed(w, expected_fen=1_200_00)
    services.payment_submit(
        actor=w.enterprise_user, order_id=order.pk, **factories.payment_data(w, order, voucher_fen=1_000_00)
    )
    with pytest.raises(PermissionDenied):
        services.payment_confirm(actor=w.enterprise_user, order_id=order.pk)
    with pytest.raises(Http404):
        services.payment_confirm(actor=provider_user_of(approved_provider()), order_id=order.pk)
    services.payment_confirm(actor=w.provider_user, order_id=order.pk)
    services.payment_confirm(actor=w.provider_user, order_id=order.pk)  # a double click
    order.refresh_from_db()
    assert order.status == S.PAYMENT_CONFIRMED and order.voucher_fen == 1_000_00 and order.reserved_fen == 0
    assert balance(w.batch, "provider", provider=w.provider.organisation) == 1_000_00
    assert balance(w.batch, "escrow", order_id=order.pk) == 0
    assert balance(w.batch, "wallet", enterprise=w.enterprise) == 20_000_00 - 1_000_00
    assert (cap(w).reserved_fen, cap(w).received_fen) == (0, 1_000_00)
    assert AuditEvent.objects.filter(action="order.payment_confirmed").count() == 1
    assert Notification.objects.filter(user=w.enterprise_user, event="order.payment_confirmed").exists()
    assert ledger_problems() == []


def test_payment_confirm_rechecks_the_cap(w):
    order = completed(w, expected_fen=1_500_00)
    services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **factories.payment_data(w, order))
    # the cap row is pushed to its limit behind the order's back (the backstop must still hold)
    CapUsage.objects.filter(pk=cap(w).pk).update(received_fen=cap(w).cap_fen - cap(w).reserved_fen)
    CapUsage.objects.filter(pk=cap(w).pk).update(reserved_fen=0)
    with pytest.raises(CapExceeded):
        services.payment_confirm(actor=w.provider_user, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == S.PAYMENT_SUBMITTED


def test_payment_confirm_after_expiry_when_submitted_in_time(w):
    order = completed(w)
    with time_machine.travel(w.batch.expires_at, tick=False):
        services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **factories.payment_data(w, order))
    with time_machine.travel(w.batch.expires_at + timedelta(days=3), tick=False):
        factories.renew_letter(w)  # the vouchers expire at the year's end: confirming in January needs it (R3)
        services.payment_confirm(actor=w.provider_user, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == S.PAYMENT_CONFIRMED


def test_payment_reject_then_resubmit(w):
    order = completed(w)
    services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **factories.payment_data(w, order))
    with pytest.raises(ValidationFailed):
        services.payment_reject(actor=w.provider_user, order_id=order.pk, reason="")
    with pytest.raises(PermissionDenied):
        services.payment_reject(actor=w.enterprise_user, order_id=order.pk, reason="x")
    services.payment_reject(actor=w.provider_user, order_id=order.pk, reason="发票金额与合同不符")
    services.payment_reject(actor=w.provider_user, order_id=order.pk, reason="发票金额与合同不符")
    order.refresh_from_db()
    assert order.status == S.PAYMENT_REJECTED
    assert Payment.objects.get().reject_reason == "发票金额与合同不符"
    assert LedgerAccount.objects.get(kind="escrow", order_id=order.pk).payment_submitted_at is None
    assert Notification.objects.filter(user=w.enterprise_user, event="order.payment_rejected").exists()
    services.payment_submit(
        actor=w.enterprise_user, order_id=order.pk, **factories.payment_data(w, order, invoice_number="NEW1")
    )
    services.payment_confirm(actor=w.provider_user, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == S.PAYMENT_CONFIRMED
    assert ledger_problems() == []


def test_rejected_payment_is_reclaimed_at_expiry(w):
    order = completed(w)
    services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **factories.payment_data(w, order))
    services.payment_reject(actor=w.provider_user, order_id=order.pk, reason="材料不全")
    with time_machine.travel(w.batch.expires_at + timedelta(seconds=1), tick=False):
        assert services.order_deadline_sweep() == 1
    assert Order.objects.get(pk=order.pk).status == S.RECLAIMED
    assert cap(w).reserved_fen == 0 and ledger_problems() == []


def paid(w):
    return factories.advance(w, factories.place(w, expected_fen=1_200_00), S.PAYMENT_CONFIRMED)


def test_refund_requested_then_approved_by_the_enterprise_city_unit(w):
    order = paid(w)
    with pytest.raises(PermissionDenied):
        services.refund_request(actor=w.enterprise_user, order_id=order.pk, reason="x")
    refund = services.refund_request(actor=w.provider_user, order_id=order.pk, reason="服务未能履行")
    assert services.refund_request(actor=w.provider_user, order_id=order.pk, reason="again").pk == refund.pk
    assert Notification.objects.filter(user=w.unit, event="order.refund_requested").exists()
    for outsider in (city_unit_user("440600"), w.provider_user, w.enterprise_user):
        with pytest.raises((Http404, PermissionDenied)):
            services.refund_approve(actor=outsider, refund_id=refund.pk)
    with pytest.raises(PermissionDenied):
        services.refund_approve(actor=province_user(), refund_id=refund.pk)
    services.refund_approve(actor=w.unit, refund_id=refund.pk)
    services.refund_approve(actor=w.unit, refund_id=refund.pk)  # a double click
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert balance(w.batch, "provider", provider=w.provider.organisation) == 0
    assert balance(w.batch, "wallet", enterprise=w.enterprise) == 20_000_00
    assert cap(w).received_fen == 0
    assert AuditEvent.objects.filter(action="order.refunded").count() == 1
    assert Notification.objects.filter(user=w.provider_user, event="order.refunded").exists()
    assert ledger_problems() == []


def test_refund_refused(w):
    order = paid(w)
    refund = services.refund_request(actor=w.provider_user, order_id=order.pk, reason="服务未能履行")
    with pytest.raises(ValidationFailed):
        services.refund_refuse(actor=w.unit, refund_id=refund.pk, reason="")
    services.refund_refuse(actor=w.unit, refund_id=refund.pk, reason="理由不充分")
    refund.refresh_from_db()
    assert refund.status == RefundRequest.Status.REFUSED
    assert Order.objects.get(pk=order.pk).status == S.PAYMENT_CONFIRMED
    with pytest.raises(DomainError):
        services.refund_approve(actor=w.unit, refund_id=refund.pk)
    assert balance(w.batch, "provider", provider=w.provider.organisation) == 1_200_00


def test_refund_impossible_after_expiry(w):
    order = paid(w)
    with time_machine.travel(w.batch.expires_at + timedelta(seconds=1), tick=False):
        with pytest.raises(VouchersExpired):
            services.refund_request(actor=w.provider_user, order_id=order.pk, reason="x")
    refund = services.refund_request(actor=w.provider_user, order_id=order.pk, reason="x")
    with time_machine.travel(w.batch.expires_at + timedelta(seconds=1), tick=False):
        with pytest.raises((VouchersExpired, DeadlinePassed)):
            services.refund_approve(actor=w.unit, refund_id=refund.pk)
    assert RefundRequest.objects.get(pk=refund.pk).status == RefundRequest.Status.REQUESTED


def test_refund_at_the_last_second_of_validity(w):
    order = paid(w)
    with time_machine.travel(w.batch.expires_at, tick=False):
        refund = services.refund_request(actor=w.provider_user, order_id=order.pk, reason="x")
        services.refund_approve(actor=w.unit, refund_id=refund.pk)
    assert Order.objects.get(pk=order.pk).status == S.REFUNDED


def test_a_provider_whose_directory_entry_ended_cannot_confirm_or_receive(w):
    placed = factories.place(w)
    order = completed(w)
    services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **factories.payment_data(w, order))
    entry = w.provider.entry
    entry.valid_until = entry.valid_until.replace(year=2000)
    entry.save(update_fields=["valid_until"])  # R1: set up as the directory's keeper would
    for call in (services.order_confirm, services.payment_confirm):
        target = placed if call is services.order_confirm else order
        with pytest.raises(DomainError) as exc:
            call(actor=w.provider_user, order_id=target.pk)
        assert exc.value.code == "provider_not_eligible"
    assert Order.objects.get(pk=order.pk).status == S.PAYMENT_SUBMITTED


def test_the_provider_does_not_learn_who_else_uploaded_an_invoice_file(w, client):
    """Issue 14: findings name other organisations; on the order page only the reviewing unit reads them."""
    from smevoucher.accounts.factories import OrganisationFactory, UserFactory, city, login_verified
    from smevoucher.documents.services import document_upload
    from smevoucher.documents.tests import corpus

    order = completed(w)
    stranger = UserFactory(organisation=OrganisationFactory(kind="enterprise", city=city(), name="别家企业甲"))
    document_upload(actor=stranger, kind="invoice", files=[("发票.png", corpus.colour_image("PNG"))])
    data = factories.payment_data(w, order)
    data["invoice_id"] = document_upload(
        actor=w.enterprise_user, kind="invoice", files=[("发票.png", corpus.colour_image("PNG"))]
    ).pk
    services.payment_submit(actor=w.enterprise_user, order_id=order.pk, **data)
    for user in (w.provider_user, w.enterprise_user):
        client.force_login(user)
        assert "别家企业甲" not in client.get(f"/orders/{order.pk}/").content.decode()
    login_verified(client, w.unit)
    assert "别家企业甲" in client.get(f"/orders/{order.pk}/").content.decode()


def test_duplicate_invoice_numbers_of_other_providers_are_for_the_unit_only(w):
    first, second = completed(w), completed(w)
    services.payment_submit(actor=w.enterprise_user, order_id=first.pk, **factories.payment_data(w, first))
    payment = services.payment_submit(actor=w.enterprise_user, order_id=second.pk, **factories.payment_data(w, second))
    Order.objects.filter(pk=first.pk).update(provider=approved_provider(level="provincial"))  # another provider's
    assert selectors.duplicate_invoices(payment, viewer=w.provider_user) == []
    assert selectors.duplicate_invoices(payment, viewer=w.unit) == [Order.objects.get(pk=first.pk)]


def test_receipt_totals_follow_payments_and_refunds_and_reconcile(w):
    """Issue 16: the receipts page's totals are kept per provider and batch by payment_confirm and refund_approve,
    equal to the paid orders themselves and, for the amounts received, to the provider's ledger account."""
    first, second = paid(w), factories.advance(w, factories.place(w, expected_fen=800_00), S.PAYMENT_CONFIRMED)
    total = ReceiptTotal.objects.get(provider=w.provider, batch=w.batch)
    assert (total.orders, total.expected_fen, total.actual_fen) == (
        2,
        first.expected_voucher_fen + second.expected_voucher_fen,
        first.voucher_fen + second.voucher_fen,
    )
    assert total.actual_fen == balance(w.batch, "provider", provider=w.provider.organisation)
    assert receipt_totals_mismatches() == []
    refund = services.refund_request(actor=w.provider_user, order_id=first.pk, reason="服务未能履行")
    services.refund_approve(actor=w.unit, refund_id=refund.pk)
    services.refund_approve(actor=w.unit, refund_id=refund.pk)  # a double click counts once
    total.refresh_from_db()
    assert (total.orders, total.expected_fen, total.actual_fen) == (1, second.expected_voucher_fen, second.voucher_fen)
    assert total.actual_fen == balance(w.batch, "provider", provider=w.provider.organisation)
    assert receipt_totals_mismatches() == []
    ReceiptTotal.objects.update(orders=5)  # a write around the services shows, and a rebuild repairs it
    assert receipt_totals_mismatches() != []
    services.receipt_totals_rebuild()
    assert receipt_totals_mismatches() == []
