import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core.audit import history_for
from smevoucher.core.errors import ValidationFailed
from smevoucher.orders.models import CityMaterial
from smevoucher.redemption import factories, selectors, services
from smevoucher.redemption.errors import NotAllowedNow, PaymentTaken
from smevoucher.redemption.models import Application, Line
from smevoucher.vouchers.models import LedgerAccount
from smevoucher.vouchers.selectors import ledger_problems

S = Application.Status


def test_totals_are_the_sum_of_the_payments_in_fen(w, payments):
    application = factories.draft(w, payments)
    assert application.total_fen == 1_000_00 + 1_500_00
    assert selectors.totals_by_batch(application) == {w.batch.pk: 2_500_00}


def test_a_payment_cannot_be_in_two_live_applications(w, payments):
    factories.draft(w, payments[:1])
    with pytest.raises(PaymentTaken):
        factories.draft(w, payments)
    assert Line.objects.filter(payment=payments[0], live=True).count() == 1


def test_the_database_refuses_a_second_live_line(w, payments):
    from django.db import IntegrityError, transaction

    first = factories.draft(w, payments[:1])
    second = factories.draft(w, payments[1:])
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.create(application=second, payment=payments[0], order=payments[0].order, voucher_fen=1, live=True)
    assert first.lines.count() == 1


def test_another_providers_payment_cannot_be_added(w, payments):
    from smevoucher.providers.factories import approved_provider, provider_user_of

    other = provider_user_of(approved_provider())
    with pytest.raises(PaymentTaken):
        services.application_create(actor=other, city_id=w.batch.city_id, payment_ids=[payments[0].pk])


def test_submit_requires_the_stamped_scans_and_the_citys_materials(w, payments):
    CityMaterial.objects.create(city_id=w.batch.city_id, purpose="redemption", name="兑现承诺书")
    application = factories.draft(w, payments)
    with pytest.raises(ValidationFailed) as exc:
        services.application_submit(actor=w.provider_user, application_id=application.pk)
    assert set(exc.value.fields) == {"application_form", "summary_table", "materials"}
    factories.attach_scans(w, application, materials=["兑现承诺书"])
    application = services.application_submit(actor=w.provider_user, application_id=application.pk)
    assert application.status == S.SUBMITTED
    assert [e.action for e in history_for(application)][-1] == "redemption.submitted"


def test_approval_moves_provider_to_redeemed_and_the_ledger_balances(w, payments):
    application = factories.submitted(w, payments)
    provider_account = LedgerAccount.objects.get(batch=w.batch, kind="provider", provider_id=w.provider.organisation_id)
    before = provider_account.balance_fen
    services.application_approve(actor=w.unit, application_id=application.pk)
    provider_account.refresh_from_db()
    redeemed = LedgerAccount.objects.get(batch=w.batch, kind="redeemed")
    assert before - provider_account.balance_fen == 2_500_00
    assert redeemed.balance_fen == 2_500_00
    assert ledger_problems() == []
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert "redemption.approved" in [e.action for e in history_for(application)]
    # a double click is not an error and moves nothing twice
    services.application_approve(actor=w.unit, application_id=application.pk)
    assert LedgerAccount.objects.get(pk=redeemed.pk).balance_fen == 2_500_00


def test_only_the_issuing_citys_unit_reviews(w, payments):
    application = factories.submitted(w, payments)
    with pytest.raises(Http404):
        services.application_approve(actor=city_unit_user("440300"), application_id=application.pk)
    with pytest.raises(Http404):
        selectors.application_get_for(user=city_unit_user("440300"), application_id=application.pk)
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=w.provider_user, application_id=application.pk)


def test_a_draft_is_invisible_to_the_unit(w, payments):
    application = factories.draft(w, payments)
    with pytest.raises(Http404):
        selectors.application_get_for(user=w.unit, application_id=application.pk)


def test_a_rejected_application_frees_its_payments_and_is_resubmittable(w, payments):
    application = factories.submitted(w, payments)
    with pytest.raises(ValidationFailed):
        services.application_reject(actor=w.unit, application_id=application.pk, reason=" ")
    services.application_reject(actor=w.unit, application_id=application.pk, reason="发票不清晰")
    application.refresh_from_db()
    assert application.status == S.REJECTED and application.reject_reason == "发票不清晰"
    assert not Line.objects.filter(application=application, live=True).exists()
    # corrected: one payment removed, the scans replaced, then resubmitted
    services.application_remove_payment(actor=w.provider_user, application_id=application.pk, payment_id=payments[1].pk)
    factories.attach_scans(w, application)
    application = services.application_submit(actor=w.provider_user, application_id=application.pk)
    assert application.status == S.SUBMITTED and application.total_fen == 1_000_00
    assert application.lines.get().live
    services.application_approve(actor=w.unit, application_id=application.pk)
    assert ledger_problems() == []


def test_resubmission_refuses_a_payment_taken_meanwhile(w, payments):
    application = factories.submitted(w, payments)
    services.application_reject(actor=w.unit, application_id=application.pk, reason="重做")
    factories.draft(w, payments[:1])
    with pytest.raises(PaymentTaken):
        services.application_submit(actor=w.provider_user, application_id=application.pk)


def test_a_submitted_application_cannot_be_edited(w, payments):
    application = factories.submitted(w, payments)
    with pytest.raises(NotAllowedNow):
        services.application_remove_payment(
            actor=w.provider_user, application_id=application.pk, payment_id=payments[0].pk
        )


def test_payout_is_recorded_after_approval(w, payments):
    from datetime import timedelta

    from smevoucher.core import clock

    application = factories.submitted(w, payments)
    with pytest.raises(NotAllowedNow):
        services.application_record_payout(
            actor=w.unit, application_id=application.pk, paid_on=clock.today(), reference="X1"
        )
    services.application_approve(actor=w.unit, application_id=application.pk)
    with pytest.raises(ValidationFailed):
        services.application_record_payout(
            actor=w.unit, application_id=application.pk, paid_on=clock.today() + timedelta(days=1), reference="X1"
        )
    application = services.application_record_payout(
        actor=w.unit, application_id=application.pk, paid_on=clock.today(), reference="BANK-001"
    )
    assert application.status == S.PAID_OUT and application.payout_reference == "BANK-001"


def test_results_are_published_as_a_list_and_the_provider_is_notified(w, payments):
    from smevoucher.notices.models import Notice, Notification

    application = factories.submitted(w, payments)
    services.application_approve(actor=w.unit, application_id=application.pk)
    notice = services.results_publish(actor=w.unit)
    assert notice.category == Notice.Category.REDEMPTION
    assert w.provider.organisation.name in notice.body and "¥2,500.00" in notice.body
    assert services.results_publish(actor=w.unit) is None
    assert Notification.objects.filter(user=w.provider_user, event="redemption.result_published").exists()


def test_a_bundled_payment_is_refunded_only_after_the_application_lets_it_go(w, payments):
    from smevoucher.orders import services as order_services
    from smevoucher.orders.errors import NotAllowedNow
    from smevoucher.redemption.errors import PaymentRefunded

    application = factories.submitted(w, payments)
    with pytest.raises(NotAllowedNow) as error:
        order_services.refund_request(actor=w.provider_user, order_id=payments[0].order_id, reason="企业取消")
    assert error.value.code == "in_redemption"
    services.application_reject(actor=w.unit, application_id=application.pk, reason="企业要求退回一笔支付")
    refund = order_services.refund_request(actor=w.provider_user, order_id=payments[0].order_id, reason="企业取消")
    order_services.refund_approve(actor=w.unit, refund_id=refund.pk)
    with pytest.raises(PaymentRefunded):  # the refunded payment cannot come back with the resubmission
        services.application_submit(actor=w.provider_user, application_id=application.pk)
    services.application_remove_payment(actor=w.provider_user, application_id=application.pk, payment_id=payments[0].pk)
    factories.attach_scans(w, application)  # the forms changed with the lines: new stamped scans (issue 15)
    services.application_submit(actor=w.provider_user, application_id=application.pk)
    services.application_approve(actor=w.unit, application_id=application.pk)
    assert ledger_problems() == []


def test_an_unknown_city_is_refused(w, payments):
    with pytest.raises(ValidationFailed):
        services.application_create(actor=w.provider_user, city_id=999_999)
