import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from smevoucher.accounts.factories import city_unit_user, login_verified, province_user
from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.redemption import factories
from smevoucher.redemption.models import Application


@pytest.fixture
def as_user(client):
    def do(user):
        login_verified(client, user)
        return client

    return do


def test_the_provider_starts_an_application_with_its_confirmed_payments(w, payments, as_user):
    client = as_user(w.provider_user)
    page = client.get(reverse("redemption:list"))
    assert "开始兑现申请" in page.content.decode()
    response = client.post(reverse("redemption:create"), {"city": w.batch.city_id})
    application = Application.objects.get()
    assert response.url == reverse("redemption:detail", args=[application.pk])
    assert application.total_fen == 2_500_00 and application.lines.count() == 2
    detail = client.get(response.url)
    assert detail.status_code == 200 and application.verification_code in detail.content.decode()


def test_the_provider_uploads_the_scans_and_submits(w, payments, as_user):
    application = factories.draft(w, payments)
    client = as_user(w.provider_user)
    url = reverse("redemption:action", args=[application.pk, "submit"])
    assert client.post(url).status_code == 400
    scans = {
        "application_form": io.BytesIO(pdf_bytes("申请表")),
        "summary_table": io.BytesIO(pdf_bytes("汇总表")),
    }
    for name, f in scans.items():
        f.name = f"{name}.pdf"
    response = client.post(reverse("redemption:action", args=[application.pk, "scans"]), scans)
    assert response.status_code == 302
    assert client.post(url).status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.parametrize("name", ["application.pdf", "summary.pdf", "summary.xlsx"])
def test_the_forms_download_for_the_provider_and_the_unit(w, payments, as_user, name):
    application = factories.submitted(w, payments)
    for user in (w.provider_user, w.unit):
        response = as_user(user).get(reverse("redemption:form", args=[application.pk, name]))
        assert response.status_code == 200
    if name.endswith(".xlsx"):
        load_workbook(io.BytesIO(response.content))
    else:
        assert response.content.startswith(b"%PDF")


def test_other_units_and_providers_get_404(w, payments, as_user):
    from smevoucher.providers.factories import approved_provider, provider_user_of

    application = factories.submitted(w, payments)
    outsiders = [city_unit_user("440300"), provider_user_of(approved_provider()), province_user()]
    for user in outsiders:
        client = as_user(user)
        for url in (
            reverse("redemption:detail", args=[application.pk]),
            reverse("redemption:form", args=[application.pk, "application.pdf"]),
            f"/api/v1/redemptions/{application.pk}/",
        ):
            assert client.get(url).status_code == 404
        assert client.post(f"/api/v1/redemptions/{application.pk}/approve/").status_code == 404
        assert client.post(reverse("redemption:action", args=[application.pk, "approve"])).status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_unit_reviews_and_approves_on_its_page(w, payments, as_user):
    application = factories.submitted(w, payments)
    client = as_user(w.unit)
    page = client.get(reverse("redemption:detail", args=[application.pk])).content.decode()
    assert 'data-testid="review"' in page
    client.post(reverse("redemption:action", args=[application.pk, "approve"]))
    application.refresh_from_db()
    assert application.status == "approved"


def test_the_unit_looks_up_a_verification_code(w, payments, as_user):
    application = factories.submitted(w, payments)
    page = as_user(w.unit).get(reverse("redemption:verify"), {"code": application.verification_code.lower()})
    assert application.number in page.content.decode()
    other = as_user(city_unit_user("440300")).get(reverse("redemption:verify"), {"code": application.verification_code})
    assert application.number not in other.content.decode()


def test_the_api_runs_the_whole_flow(w, payments, as_user):
    provider = as_user(w.provider_user)
    created = provider.post(
        "/api/v1/redemptions/",
        {"city": w.batch.city_id, "payments": [p.pk for p in payments]},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["total_fen"] == 2_500_00
    pk = created.json()["id"]
    assert provider.post(f"/api/v1/redemptions/{pk}/submit/").status_code == 400
    p = w.provider_user
    body = {
        "application_form": factories.scan(p, "application_form", "a").pk,
        "summary_table": factories.scan(p, "summary_table", "b").pk,
    }
    assert (
        provider.post(f"/api/v1/redemptions/{pk}/materials/", body, content_type="application/json").status_code == 200
    )
    assert provider.post(f"/api/v1/redemptions/{pk}/submit/").json()["status"] == "submitted"
    assert provider.post(f"/api/v1/redemptions/{pk}/approve/").status_code == 403
    unit = as_user(w.unit)
    rejected = unit.post(f"/api/v1/redemptions/{pk}/reject/", {"reason": "补充材料"}, content_type="application/json")
    assert rejected.json()["status"] == "rejected"
    provider = as_user(w.provider_user)
    assert provider.post(f"/api/v1/redemptions/{pk}/submit/").json()["status"] == "submitted"
    unit = as_user(w.unit)
    assert unit.post(f"/api/v1/redemptions/{pk}/approve/").json()["status"] == "approved"
    from smevoucher.core import clock

    paid = unit.post(
        f"/api/v1/redemptions/{pk}/payout/",
        {"paid_on": clock.today().isoformat(), "reference": "BANK-9"},
        content_type="application/json",
    )
    assert paid.json()["status"] == "paid_out"
    assert unit.get(f"/api/v1/redemptions/{pk}/forms/summary.xlsx").status_code == 200


def test_anonymous_users_are_refused(w, payments, client):
    application = factories.submitted(w, payments)
    assert client.get(reverse("redemption:detail", args=[application.pk])).status_code == 302
    assert client.get(f"/api/v1/redemptions/{application.pk}/").status_code in (401, 403)


def test_the_unit_reads_the_scans_and_each_payments_materials(w, payments, as_user):
    application = factories.submitted(w, payments)
    client = as_user(w.unit)
    documents = [application.application_scan_id, application.summary_scan_id]
    documents += [p.invoice_id for p in payments] + [p.transfer_proof_id for p in payments]
    for document_id in documents:
        assert client.get(reverse("documents:download", args=[document_id])).status_code == 200
    assert (
        as_user(city_unit_user("440300"))
        .get(reverse("documents:download", args=[application.application_scan_id]))
        .status_code
        == 404
    )


def test_the_review_screen_flags_a_reused_invoice_number(w, payments, as_user):
    from smevoucher.orders import factories as orders
    from smevoucher.orders.models import Order

    third = orders.advance(
        w, orders.place(w), Order.Status.PAYMENT_CONFIRMED, invoice_number=payments[0].invoice_number
    )
    application = factories.submitted(w, [*payments, third.payments.get()])
    page = as_user(w.unit).get(reverse("redemption:detail", args=[application.pk])).content.decode()
    assert page.count('data-testid="duplicate-invoice"') == 2
    assert "同一发票号码也用于订单" in page


def test_a_refused_scan_upload_keeps_the_scan_that_passed(w, payments, as_user):
    """Issue 13 (1): one refused file (a grey scan) does not throw away the other, which stays attached."""
    import re

    from smevoucher.documents.models import Document
    from smevoucher.documents.tests import corpus

    application = factories.draft(w, payments)
    client = as_user(w.provider_user)
    good, grey = io.BytesIO(pdf_bytes("申请表")), io.BytesIO(corpus.grey_scan())
    good.name, grey.name = "申请表.pdf", "汇总表.jpg"
    url = reverse("redemption:action", args=[application.pk, "scans"])
    response = client.post(url, {"application_form": good, "summary_table": grey})
    html = response.content.decode()
    assert response.status_code == 400 and "汇总表.jpg" in html and "data-error-summary" in html
    kept = re.search(r'name="application_form__kept" value="(\d+)"', html).group(1)
    table = io.BytesIO(pdf_bytes("汇总表"))
    table.name = "汇总表.pdf"
    before = Document.objects.count()
    assert client.post(url, {"application_form__kept": kept, "summary_table": table}).status_code == 302
    application.refresh_from_db()
    assert application.application_scan_id == int(kept) and Document.objects.count() == before + 1
