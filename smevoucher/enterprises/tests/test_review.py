"""R0: only the enterprise's own city unit approves or returns it; priority tags (R6) likewise."""

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified, provider_user, province_user
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises import services
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise
from smevoucher.enterprises.models import Enterprise
from smevoucher.notices.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def gz_enterprise():
    return sign_up_enterprise(city_code="440100")


def test_city_unit_approves_its_enterprise_and_the_enterprise_is_told(gz_enterprise):
    unit = city_unit_user("440100")
    services.enterprise_approve(actor=unit, enterprise_id=gz_enterprise.pk)
    gz_enterprise.refresh_from_db()
    assert gz_enterprise.status == Enterprise.Status.APPROVED
    assert AuditEvent.objects.filter(action="enterprise.approved", actor=unit).count() == 1
    assert Notification.objects.filter(user=enterprise_user(gz_enterprise), event="enterprise.approved").exists()


def test_approving_twice_is_quiet(gz_enterprise):
    unit = city_unit_user("440100")
    services.enterprise_approve(actor=unit, enterprise_id=gz_enterprise.pk)
    services.enterprise_approve(actor=unit, enterprise_id=gz_enterprise.pk)
    assert AuditEvent.objects.filter(action="enterprise.approved").count() == 1


@pytest.mark.parametrize("who", ["other_city", "province", "provider", "enterprise"])
def test_nobody_else_decides(gz_enterprise, who):
    actor = {
        "other_city": lambda: city_unit_user("440300"),
        "province": province_user,
        "provider": provider_user,
        "enterprise": lambda: enterprise_user(gz_enterprise),
    }[who]()
    with pytest.raises(Exception) as error:
        services.enterprise_approve(actor=actor, enterprise_id=gz_enterprise.pk)
    assert error.typename == "Http404"
    gz_enterprise.refresh_from_db()
    assert gz_enterprise.status == Enterprise.Status.PENDING


def test_return_needs_reasons_and_shows_them_to_the_enterprise(client, gz_enterprise):
    unit = city_unit_user("440100")
    with pytest.raises(ValidationFailed):
        services.enterprise_return(actor=unit, enterprise_id=gz_enterprise.pk, reason="  ")
    services.enterprise_return(actor=unit, enterprise_id=gz_enterprise.pk, reason="营业执照照片不清晰")
    gz_enterprise.refresh_from_db()
    assert (gz_enterprise.status, gz_enterprise.review_note) == ("returned", "营业执照照片不清晰")
    login_verified(client, enterprise_user(gz_enterprise))
    assert "营业执照照片不清晰" in client.get("/enterprises/mine/").content.decode()


def test_priority_tags_set_by_the_city_unit(gz_enterprise):
    unit = city_unit_user("440100")
    services.enterprise_set_priority_tags(actor=unit, enterprise_id=gz_enterprise.pk, tag_codes=["zjtx", "sfjd"])
    assert set(gz_enterprise.priority_tags.values_list("code", flat=True)) == {"zjtx", "sfjd"}
    with pytest.raises(ValidationFailed):
        services.enterprise_set_priority_tags(actor=unit, enterprise_id=gz_enterprise.pk, tag_codes=["nope"])
    services.enterprise_set_priority_tags(actor=unit, enterprise_id=gz_enterprise.pk, tag_codes=[])
    assert not gz_enterprise.priority_tags.exists()


@pytest.mark.parametrize(("who", "expected"), [("gz_unit", 200), ("sz_unit", 404), ("province", 404), ("own", 404)])
def test_approve_api_permissions(gz_enterprise, who, expected):
    actor = {
        "gz_unit": lambda: city_unit_user("440100"),
        "sz_unit": lambda: city_unit_user("440300"),
        "province": province_user,
        "own": lambda: enterprise_user(gz_enterprise),
    }[who]()
    api = APIClient()
    api.force_authenticate(actor)
    assert api.post(f"/api/v1/enterprises/{gz_enterprise.pk}/approve/").status_code == expected


def test_unit_reviews_through_the_page(client, gz_enterprise):
    login_verified(client, city_unit_user("440100"))
    page = client.get(f"/enterprises/{gz_enterprise.pk}/").content.decode()
    assert "批准" in page and "退回修改" in page
    client.post(f"/enterprises/{gz_enterprise.pk}/priority-tags/", {"tags": ["xsg"]})
    client.post(f"/enterprises/{gz_enterprise.pk}/approve/")
    gz_enterprise.refresh_from_db()
    assert gz_enterprise.status == "approved" and list(gz_enterprise.priority_tags.values_list("code", flat=True)) == [
        "xsg"
    ]


def test_province_sees_but_has_no_review_buttons(client, gz_enterprise):
    login_verified(client, province_user())
    page = client.get(f"/enterprises/{gz_enterprise.pk}/")
    assert page.status_code == 200 and not page.context["can_review"]
