import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from smevoucher.accounts.factories import PASSWORD, city
from smevoucher.accounts.models import Organisation, User
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import (
    enterprise_user,
    licence_image,
    make_id_number,
    make_uscc,
    sign_up_enterprise,
)
from smevoucher.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "广州测试科技有限公司",
        "uscc": make_uscc(),
        "city": city().pk,
        "size": "micro",
        "industry": "I",
        "legal_representative": "陈法人",
        "legal_rep_id_number": make_id_number(),
        "registered_address": "广州市天河区珠江新城1号",
        "contact_name": "林联系",
        "contact_phone": "13800000000",
        "contact_email": "lin@example.test",
        "username": "gz_test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "licence": SimpleUploadedFile("营业执照.jpg", licence_image(), content_type="image/jpeg"),
    }
    data.update(overrides)
    return data


def counts():
    return Enterprise.objects.count(), Organisation.objects.count(), User.objects.count(), AuditEvent.objects.count()


def test_sign_up_creates_enterprise_admin_and_audit_event():
    enterprise = sign_up_enterprise(name="  广州  测试  有限公司 ", city_code="440300")
    user = enterprise.organisation.users.get()
    assert (enterprise.name, enterprise.city.code, enterprise.status) == ("广州 测试 有限公司", "440300", "pending")
    assert (user.role, user.organisation.kind) == ("admin", "enterprise")
    assert AuditEvent.objects.filter(action="enterprise.signed_up", object_id=str(enterprise.pk)).exists()


def test_sign_up_refuses_a_wrong_check_character_and_saves_nothing():
    good = make_uscc()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        sign_up_enterprise(uscc=bad)
    assert "uscc" in error.value.fields
    assert counts() == before


def test_one_account_per_credit_code():
    code = make_uscc()
    sign_up_enterprise(uscc=code)
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        sign_up_enterprise(uscc=code.lower())
    assert "无法再次注册" in str(error.value.fields["uscc"][0])
    assert counts() == before


def test_sign_up_page_logs_in_and_shows_pending_status(client):
    response = client.post(reverse("enterprises:sign_up"), form_data(), follow=True)
    page = response.content.decode()
    assert "广州测试科技有限公司" in page and "待审核" in page
    assert response.context["user"].username == "gz_test"


def test_sign_up_page_shows_field_errors_in_chinese_and_changes_nothing(client):
    before = counts()
    response = client.post(
        reverse("enterprises:sign_up"), form_data(uscc="91440100MA00000000", password2="different-9")
    )
    page = response.content.decode()
    assert "统一社会信用代码无效" in page
    assert "两次输入的密码不一致" in page
    assert counts() == before


def test_sign_up_api():
    api = APIClient()
    data = form_data(city="440100", password=PASSWORD)
    data.pop("password1"), data.pop("password2"), data.pop("licence")
    response = api.post("/api/v1/enterprises/", data, format="json")
    assert response.status_code == 201
    assert response.json()["uscc"] == data["uscc"] and response.json()["status"] == "pending"

    again = api.post("/api/v1/enterprises/", {**data, "username": "other"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "validation_error" and "uscc" in again.json()["fields"]


def test_sign_up_api_rejects_weak_password_in_chinese():
    data = form_data(city="440100", password="123")
    data.pop("password1"), data.pop("password2"), data.pop("licence")
    response = APIClient().post("/api/v1/enterprises/", data, format="json")
    assert response.status_code == 400
    assert "密码" in " ".join(response.json()["fields"]["password"])


def test_a_taken_code_or_name_is_told_only_to_an_otherwise_complete_sign_up():
    """Issue 14 (9): a prober cannot learn cheaply (without signing up for real) whether a code or name exists."""
    existing = sign_up_enterprise(username="taken_name")
    with pytest.raises(ValidationFailed) as error:
        sign_up_enterprise(uscc=existing.uscc, username="taken_name", password="123")
    assert set(error.value.fields) == {"password"}
    with pytest.raises(ValidationFailed) as error:
        sign_up_enterprise(username="taken_name", size="huge")
    assert set(error.value.fields) == {"size"}
    with pytest.raises(ValidationFailed) as error:
        sign_up_enterprise(username="TAKEN_NAME")
    assert set(error.value.fields) == {"username"}  # a real user still learns to choose another name


def test_a_repeat_sign_up_tells_the_owner_and_its_city_unit_not_the_applicant():
    from smevoucher.accounts.factories import city_unit_user
    from smevoucher.notices.models import Notification

    existing = sign_up_enterprise(city_code="440300")
    unit = city_unit_user("440300")
    other_unit = city_unit_user("440100")
    with pytest.raises(ValidationFailed) as error:
        sign_up_enterprise(uscc=existing.uscc, contact_name="新同事", contact_email="new@example.test")
    message = str(error.value.fields["uscc"][0])
    assert existing.name not in message and "已注册" not in message
    told = Notification.objects.filter(event="enterprise.repeat_sign_up")
    assert set(told.values_list("user_id", flat=True)) == {enterprise_user(existing).pk, unit.pk}
    assert not told.filter(user=other_unit).exists()
    assert all("新同事" in n.body and "new@example.test" in n.body for n in told)
