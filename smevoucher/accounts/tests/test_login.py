import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp

from smevoucher.accounts.factories import PASSWORD, UserFactory, city_unit_user, totp_device

pytestmark = pytest.mark.django_db


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_enterprise_user_logs_in_with_password_only(client):
    user = UserFactory()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("workbench:home")
    assert client.get(reverse("accounts:dashboard")).url == reverse("workbench:home")
    assert client.get(reverse("workbench:home")).status_code == 200


def test_wrong_password_gives_a_chinese_message(client):
    user = UserFactory()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_account_is_locked_after_repeated_failures(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_must_pass_totp_before_reaching_any_page(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would otherwise delay the right one
    staff = city_unit_user()
    device = totp_device(staff)
    client.post(reverse("accounts:login"), {"username": staff.username, "password": PASSWORD})
    blocked = client.get(reverse("enterprises:unit_list"))
    assert blocked.status_code == 302 and blocked.url.startswith(reverse("accounts:otp"))
    assert client.get("/api/v1/me/").status_code == 403

    wrong = client.post(reverse("accounts:otp"), {"token": "000000" if current_code(device) != "000000" else "111111"})
    assert "动态码错误" in wrong.content.decode()
    assert client.get(reverse("enterprises:unit_list")).status_code == 302

    client.post(reverse("accounts:otp"), {"token": current_code(device)})
    assert client.get(reverse("enterprises:unit_list")).status_code == 200


def test_staff_without_device_enrols_on_first_login(client):
    staff = city_unit_user()
    client.post(reverse("accounts:login"), {"username": staff.username, "password": PASSWORD})
    page = client.get(reverse("accounts:otp"))
    assert page.context["enrolling"] and "<svg" in page.content.decode()
    device = staff.totpdevice_set.get()
    assert not device.confirmed
    client.post(reverse("accounts:otp"), {"token": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("enterprises:unit_list")).status_code == 200


def test_password_reset_by_email(client):
    user = UserFactory(email="clerk@example.test")
    client.post(reverse("accounts:password_reset"), {"email": "clerk@example.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "n3w-secret-pass", "new_password2": "n3w-secret-pass"}
    )
    user.refresh_from_db()
    assert user.check_password("n3w-secret-pass")


def test_logout(client):
    client.force_login(UserFactory())
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
