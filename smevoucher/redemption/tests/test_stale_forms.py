"""Issue 15: stamped forms go stale when the lines change (point 1), and the small ones of point 11."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from smevoucher.accounts.factories import logged_in_client
from smevoucher.accounts.models import City
from smevoucher.core.audit import history_for
from smevoucher.core.errors import ValidationFailed
from smevoucher.redemption import factories, printing, services
from smevoucher.redemption.errors import ScansNotCurrent, WrongCity
from smevoucher.redemption.factories import confirmed_payments
from smevoucher.redemption.models import Application, form_code


def _text(content: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_a_payment_of_another_city_answers_wrong_city(w, payments):
    shenzhen = City.objects.get(code="440300")
    with pytest.raises(WrongCity) as exc:
        services.application_create(actor=w.provider_user, city_id=shenzhen.pk, payment_ids=[payments[0].pk])
    assert exc.value.code == "wrong_city"


def test_the_application_form_counts_enterprises_not_payments(w, payments):
    application = factories.draft(w, payments)  # two payments of one enterprise
    text = _text(printing.application_pdf(application))
    assert "服务企业数1家" in text


def _rejected(w, payments):
    application = factories.submitted(w, payments)
    return services.application_reject(actor=w.unit, application_id=application.pk, reason="请删除一笔支付")


def test_removing_a_line_discards_the_scans_and_issues_a_new_code(w, payments):
    application = _rejected(w, payments)
    old_code, old_scans = application.verification_code, (application.application_scan_id, application.summary_scan_id)
    application = services.application_remove_payment(
        actor=w.provider_user, application_id=application.pk, payment_id=payments[0].pk
    )
    assert application.application_scan_id is None and application.summary_scan_id is None
    assert application.verification_code != old_code and application.form_version == 2
    first = application.form_versions.get(number=1)  # the discarded scans are kept in history, not deleted
    assert (first.application_scan_id, first.summary_scan_id) == old_scans and not first.is_current
    assert first.total_fen == payments[0].voucher_fen + payments[1].voucher_fen
    assert application.form_versions.get(number=2).lines == [[payments[1].pk, payments[1].voucher_fen]]
    assert "redemption.scans_discarded" in [e.action for e in history_for(application)]
    with pytest.raises(ValidationFailed) as exc:  # the old stamped paper no longer counts
        services.application_submit(actor=w.provider_user, application_id=application.pk)
    assert {"application_form", "summary_table"} <= set(exc.value.fields)


def test_adding_a_line_issues_a_new_code_too(w):
    payments = confirmed_payments(w, 3)
    application = factories.draft(w, payments[:2])
    factories.attach_scans(w, application)
    code = Application.objects.get(pk=application.pk).verification_code
    application = services.application_add_payments(
        actor=w.provider_user, application_id=application.pk, payment_ids=[payments[2].pk]
    )
    assert application.verification_code != code and application.application_scan_id is None
    assert application.total_fen == sum(p.voucher_fen for p in payments)


def test_the_code_identifies_the_lines_and_the_total(w, payments):
    application = factories.draft(w, payments)
    lines = sorted((p.pk, p.voucher_fen) for p in payments)
    total = sum(fen for _pk, fen in lines)
    assert application.verification_code == form_code(application.pk, 1, lines, total)
    assert form_code(application.pk, 1, lines[:1], total) != application.verification_code
    assert form_code(application.pk, 1, lines, total + 1) != application.verification_code
    assert form_code(application.pk, 2, lines, total) != application.verification_code


def test_approval_is_refused_while_the_scans_are_of_another_version(w, payments):
    application = factories.submitted(w, payments)
    Application.objects.filter(pk=application.pk).update(form_version=2)  # e.g. scans kept from an older version
    with pytest.raises(ScansNotCurrent) as exc:
        services.application_approve(actor=w.unit, application_id=application.pk)
    assert exc.value.code == "scans_not_current"
    assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED


def test_after_new_scans_the_application_is_approved(w, payments):
    application = _rejected(w, payments)
    services.application_remove_payment(actor=w.provider_user, application_id=application.pk, payment_id=payments[0].pk)
    factories.attach_scans(w, application)
    services.application_submit(actor=w.provider_user, application_id=application.pk)
    application = services.application_approve(actor=w.unit, application_id=application.pk)
    assert application.status == Application.Status.APPROVED and application.scans_version == 2


def test_the_review_screen_says_whether_the_scans_are_current(w, payments):
    application = factories.submitted(w, payments)
    client = logged_in_client(w.unit)
    page = client.get(reverse("redemption:detail", args=[application.pk])).content.decode()
    assert 'data-testid="scans-version"' in page and "alert-success" in page
    Application.objects.filter(pk=application.pk).update(form_version=2)
    page = client.get(reverse("redemption:detail", args=[application.pk])).content.decode()
    assert 'alert-danger small" data-testid="scans-version"' in page


def test_the_look_up_tells_a_superseded_code(w, payments):
    application = _rejected(w, payments)
    old_code = application.verification_code
    services.application_remove_payment(actor=w.provider_user, application_id=application.pk, payment_id=payments[0].pk)
    client = logged_in_client(w.unit)
    page = client.get(reverse("redemption:verify"), {"code": old_code}).content.decode()
    assert 'data-testid="verify-superseded"' in page
    api = client.get("/api/v1/redemptions/verify/", {"code": old_code})
    assert api.status_code == 200
    body = api.json()
    assert body["application"] == application.pk and body["version"] == 1 and body["current"] is False
    assert body["current_version"] == 2 and body["total_fen"] == payments[0].voucher_fen + payments[1].voucher_fen


def test_the_verify_api_is_for_the_citys_unit_only(w, payments):
    from smevoucher.accounts.factories import city_unit_user

    application = factories.submitted(w, payments)
    url = "/api/v1/redemptions/verify/"
    body = logged_in_client(w.unit).get(url, {"code": application.verification_code.lower()}).json()
    assert body["current"] is True and body["lines"] == sorted([p.pk, p.voucher_fen] for p in payments)
    assert (
        logged_in_client(city_unit_user("440300")).get(url, {"code": application.verification_code}).status_code == 404
    )
    assert logged_in_client(w.provider_user).get(url, {"code": application.verification_code}).status_code == 403
    missing = logged_in_client(w.unit).get(url)
    assert missing.status_code == 400 and "code" in missing.json()["fields"]


def test_the_unit_publishes_results_through_the_api(w, payments):
    application = factories.submitted(w, payments)
    services.application_approve(actor=w.unit, application_id=application.pk)
    url = "/api/v1/redemptions/publish-results/"
    assert logged_in_client(w.provider_user).post(url).status_code == 403
    client = logged_in_client(w.unit)
    first = client.post(url)
    assert first.status_code == 201 and application.number in first.json()["notice"]["body"]
    assert Application.objects.get(pk=application.pk).result_notice_id == first.json()["notice"]["id"]
    again = client.post(url)
    assert again.status_code == 200 and again.json() == {"notice": None}


def test_scans_printed_before_a_change_are_refused(w):
    payments = confirmed_payments(w, 3)
    application = factories.draft(w, payments[:2])
    services.application_add_payments(
        actor=w.provider_user, application_id=application.pk, payment_ids=[payments[2].pk]
    )
    p = w.provider_user
    with pytest.raises(ValidationFailed) as exc:  # the uploader printed version 1
        services.application_attach(
            actor=p,
            application_id=application.pk,
            application_form_id=factories.scan(p, "application_form", "旧表").pk,
            form_version=1,
        )
    assert "application_form" in exc.value.fields
    application = services.application_attach(
        actor=p,
        application_id=application.pk,
        application_form_id=factories.scan(p, "application_form", "新表").pk,
        summary_table_id=factories.scan(p, "summary_table", "新汇总表").pk,
        form_version=2,
    )
    assert application.scans_are_current


def test_the_api_shows_the_form_version_and_whether_the_scans_are_current(w, payments):
    application = factories.draft(w, payments)
    body = logged_in_client(w.provider_user).get(f"/api/v1/redemptions/{application.pk}/").json()
    assert body["form_version"] == 1 and body["scans_current"] is False
    factories.attach_scans(w, application)
    body = logged_in_client(w.provider_user).get(f"/api/v1/redemptions/{application.pk}/").json()
    assert body["scans_current"] is True
