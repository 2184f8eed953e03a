"""Issue 15: the city's described materials (15.2), the commitment-letter gate on confirmations (15.4) and the
provider's voucher-expiry reminders (15.6)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, logged_in_client, login_verified
from smevoucher.catalogue.factories import pdf_bytes
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.notices.models import Notification
from smevoucher.orders import factories, services
from smevoucher.orders.errors import LetterNotCurrent
from smevoucher.orders.models import CityMaterial, Order, OrderReminder
from smevoucher.orders.reminders import order_send_reminders
from smevoucher.providers import services as provider_services
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.providers.models import Provider

S = Order.Status
pytestmark = pytest.mark.django_db


def _describe(w, name="服务验收单", **kwargs):
    services.city_materials_set(actor=w.unit, purpose="payment", names=[name])
    material = CityMaterial.objects.get(city_id=w.enterprise.city_id, name=name)
    return services.city_material_describe(
        actor=w.unit,
        material_id=material.pk,
        description=kwargs.get("description", "双方盖章的服务验收单"),
        reason=kwargs.get("reason", "证明服务已完成"),
        template=kwargs.get("template"),
    )


# --- 15.2 the city's materials -----------------------------------------------------------------------------------


def test_a_unit_describes_a_material_and_renaming_the_list_keeps_the_description(w):
    template = SimpleUploadedFile("验收单模板.pdf", pdf_bytes("模板"))
    material = _describe(w, template=template)
    assert material.template_name == "验收单模板.pdf" and material.template
    services.city_materials_set(actor=w.unit, purpose="payment", names=["企业满意度评价表", "服务验收单"])
    kept = CityMaterial.objects.get(pk=material.pk)
    assert (kept.position, kept.description, kept.reason) == (1, "双方盖章的服务验收单", "证明服务已完成")
    assert AuditEvent.objects.filter(action="orders.city_material_described").exists()


def test_only_the_citys_own_unit_describes_its_materials_and_templates_are_checked(w):
    material = _describe(w)
    with pytest.raises(PermissionDenied):
        services.city_material_describe(actor=w.provider_user, material_id=material.pk, description="x", reason="")
    with pytest.raises(Http404):
        services.city_material_describe(
            actor=city_unit_user("440600"), material_id=material.pk, description="x", reason=""
        )
    with pytest.raises(ValidationFailed) as refused:
        _describe(w, template=SimpleUploadedFile("evil.html", b"<script>alert(1)</script>"))
    assert "template" in refused.value.fields


def test_the_public_page_shows_what_why_and_the_template_without_login(w):
    material = _describe(w, template=SimpleUploadedFile("验收单模板.pdf", pdf_bytes("模板")))
    anonymous = Client()
    html = anonymous.get(f"/orders/city-materials/{w.batch.city.slug}/").content.decode()
    assert "服务验收单" in html and "双方盖章的服务验收单" in html and "证明服务已完成" in html
    response = anonymous.get(f"/orders/city-materials/{material.pk}/template/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert anonymous.get("/orders/city-materials/nowhere/").status_code == 404


def test_the_provider_sees_the_citys_requirements_beside_what_the_enterprise_uploaded(w):
    _describe(w)
    order = factories.place(w)
    factories.advance(w, order, S.COMPLETED)
    material = factories.material(w.enterprise_user, "city_extra", "验收单")
    data = factories.payment_data(w, order)
    services.payment_submit(actor=w.enterprise_user, order_id=order.pk, materials={"服务验收单": material.pk}, **data)
    html = logged_in_client(w.provider_user).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="city-checks"' in html
    assert "双方盖章的服务验收单" in html and f"/documents/{material.pk}/download/" in html


# --- 15.4 the commitment letter gate -----------------------------------------------------------------------------


def _letter_of_last_year(w):
    Provider.objects.filter(pk=w.provider.pk).update(commitment_date=date(date.today().year - 1, 6, 1))


def test_order_confirm_refused_until_this_years_letter_is_uploaded(w):
    order = factories.place(w)
    _letter_of_last_year(w)
    with pytest.raises(LetterNotCurrent) as refused:
        services.order_confirm(actor=w.provider_user, order_id=order.pk)
    assert refused.value.code == "commitment_letter_outdated" and refused.value.status == 409
    response = logged_in_client(w.provider_user).post(f"/api/v1/orders/{order.pk}/confirm/")
    assert response.status_code == 409 and response.json()["code"] == "commitment_letter_outdated"
    provider_services.letter_renewal_submit(
        actor=w.provider_user,
        provider_id=w.provider.pk,
        commitment_date=date.today(),
        letter_files=[("承诺书.pdf", pdf_bytes("承诺书"))],
    )
    assert services.order_confirm(actor=w.provider_user, order_id=order.pk).status == S.CONFIRMED


def test_payment_confirm_refused_with_last_years_letter(w):
    order = factories.advance(w, factories.place(w), S.PAYMENT_SUBMITTED)
    _letter_of_last_year(w)
    with pytest.raises(LetterNotCurrent):
        services.payment_confirm(actor=w.provider_user, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == S.PAYMENT_SUBMITTED


# --- 15.6 the provider's voucher-expiry reminders -----------------------------------------------------------------


def test_providers_are_reminded_7_and_1_days_before_unpaid_vouchers_expire_once_each(w):
    confirmed = factories.advance(w, factories.place(w), S.CONFIRMED)
    factories.place(w)  # not confirmed: nothing for the provider yet
    paid = factories.advance(w, factories.place(w), S.PAYMENT_SUBMITTED)  # under check: not reclaimed at expiry
    expiry = w.batch.expires_at
    with time_machine.travel(expiry - timedelta(days=8), tick=False):
        order_send_reminders()
    assert not Notification.objects.filter(event="order.reminder_expiry").exists()
    with time_machine.travel(expiry - timedelta(days=7), tick=False):
        order_send_reminders()
        order_send_reminders()
    with time_machine.travel(expiry - timedelta(hours=12), tick=False):
        order_send_reminders()
        order_send_reminders()
    reminders = Notification.objects.filter(event="order.reminder_expiry")
    assert reminders.filter(user=w.provider_user).count() == 2
    assert not reminders.filter(user=w.enterprise_user).exists()
    sent = OrderReminder.objects.filter(deadline="expiry")
    assert set(sent.values_list("order_id", "days_before")) == {(confirmed.pk, 7), (confirmed.pk, 1)}
    assert not sent.filter(order=paid).exists()


# --- the API of 15.2 and the cap gauge ------------------------------------------------------------------------------


def _api(user=None):
    api = APIClient()
    if user is not None:
        login_verified(api, user)
    return api


def test_the_city_materials_api_is_public_to_read_and_the_unit_sets_and_describes(w):
    unit = _api(w.unit)
    response = unit.post("/api/v1/city-materials/", {"purpose": "payment", "names": ["服务验收单"]}, format="json")
    assert response.status_code == 200 and [m["name"] for m in response.json()] == ["服务验收单"]
    material_id = response.json()[0]["id"]
    response = unit.patch(
        f"/api/v1/city-materials/{material_id}/",
        {
            "description": "双方盖章",
            "reason": "证明完成",
            "template": SimpleUploadedFile("模板.pdf", pdf_bytes("模板")),
        },
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["template_url"].endswith("/template/")
    listed = _api().get("/api/v1/city-materials/", {"city": w.batch.city.code}).json()["results"]
    assert [(m["name"], m["description"], m["reason"]) for m in listed] == [("服务验收单", "双方盖章", "证明完成")]
    provider = _api(w.provider_user)
    assert (
        provider.post("/api/v1/city-materials/", {"purpose": "payment", "names": []}, format="json").status_code == 403
    )
    assert provider.patch(f"/api/v1/city-materials/{material_id}/", {"reason": "x"}, format="json").status_code == 403
    assert _api().post("/api/v1/city-materials/", {"purpose": "payment", "names": []}, format="json").status_code in (
        401,
        403,
    )
    assert services.required_materials(w.enterprise.city_id) == ["服务验收单"]


def test_the_cap_gauge_api_shows_the_provider_its_own_gauge_only(w):
    factories.advance(w, factories.place(w, expected_fen=1_000_00), S.CONFIRMED)
    rows = _api(w.provider_user).get(f"/api/v1/providers/{w.provider.pk}/cap/").json()
    assert rows[0]["city"] == w.batch.city.code and rows[0]["reserved_fen"] == 1_000_00
    assert rows[0]["cap_fen"] == rows[0]["free_fen"] + rows[0]["reserved_fen"] + rows[0]["received_fen"]
    for user in (w.unit, w.enterprise_user):
        assert _api(user).get(f"/api/v1/providers/{w.provider.pk}/cap/").status_code == 404
    other = provider_user_of(approved_provider())
    assert _api(other).get(f"/api/v1/providers/{w.provider.pk}/cap/").status_code == 404
