"""Issue 14 (1): API tokens expire, are per client, are revoked by log-out, "log out everywhere" and a new
password, and their owner lists and revokes them (page and API). Staff tokens are shorter-lived."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.forms import SetPasswordForm
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from rest_framework.test import APIClient

from smevoucher.accounts.factories import PASSWORD, UserFactory, city_unit_user, login_verified, totp_device
from smevoucher.accounts.models import ApiToken
from smevoucher.accounts.tokens import token_issue

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-horse-battery-7"


def issue(user, client="script", **extra) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, "client": client, **extra}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_with(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def works(token: str) -> bool:
    return api_with(token).get("/api/v1/me/").status_code == 200


def test_each_client_gets_its_own_expiring_token_stored_hashed():
    user = UserFactory()
    first, second = issue(user, "ERP"), issue(user, "报表脚本")
    assert first != second and works(first) and works(second)
    stored = ApiToken.objects.filter(user=user)
    assert sorted(stored.values_list("client", flat=True)) == ["ERP", "报表脚本"]
    assert not stored.filter(digest__in=[first, second]).exists()  # only hashes are kept
    token = stored.get(client="ERP")
    assert token.expiry - token.created == pytest.approx(timedelta(days=30), abs=timedelta(minutes=1))


def test_a_token_stops_working_after_its_lifetime(settings):
    user = UserFactory()
    token = issue(user)
    with time_machine.travel(timezone.now() + settings.API_TOKEN_TTL + timedelta(minutes=1)):
        response = api_with(token).get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert not ApiToken.objects.filter(user=user).exists()


def test_staff_tokens_need_totp_and_live_shorter(settings):
    staff = city_unit_user()
    device = totp_device(staff)
    token = issue(staff, otp_token=f"{totp(device.bin_key):06d}")
    stored = ApiToken.objects.get(user=staff)
    assert stored.expiry - stored.created == pytest.approx(settings.API_TOKEN_TTL_STAFF, abs=timedelta(minutes=1))
    assert settings.API_TOKEN_TTL_STAFF < settings.API_TOKEN_TTL
    with time_machine.travel(timezone.now() + settings.API_TOKEN_TTL_STAFF + timedelta(minutes=1)):
        assert not works(token)


def test_logout_revokes_only_the_token_in_use():
    user = UserFactory()
    used, other = issue(user, "a"), issue(user, "b")
    assert api_with(used).post("/api/v1/auth/logout/").status_code == 204
    assert not works(used) and works(other)


def test_logout_everywhere_revokes_every_token():
    user = UserFactory()
    tokens = [issue(user, f"client {n}") for n in range(3)]
    assert api_with(tokens[0]).post("/api/v1/auth/logout-all/").status_code == 204
    assert not any(works(token) for token in tokens)


def test_list_and_revoke_own_tokens_but_not_anothers():
    user, stranger = UserFactory(), UserFactory()
    current, spare = issue(user, "current"), issue(user, "spare")
    strangers = issue(stranger, "theirs")
    api = api_with(current)
    rows = api.get("/api/v1/auth/tokens/").json()
    assert {row["client"]: row["current"] for row in rows} == {"current": True, "spare": False}
    assert all(set(row) == {"id", "client", "created", "expiry", "current"} for row in rows)
    assert all(secret not in str(rows) for secret in (current, spare))

    their_id = ApiToken.objects.get(user=stranger).token_key
    assert api.delete(f"/api/v1/auth/tokens/{their_id}/").status_code == 404
    assert works(strangers)
    spare_id = next(row["id"] for row in rows if row["client"] == "spare")
    assert api.delete(f"/api/v1/auth/tokens/{spare_id}/").status_code == 204
    assert not works(spare) and works(current)


def test_a_changed_password_revokes_every_token():
    user = UserFactory()
    tokens = [issue(user, "a"), issue(user, "b")]
    form = SetPasswordForm(user, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid()
    form.save()
    assert not any(works(token) for token in tokens)


def test_a_password_reset_by_e_mail_revokes_every_token_and_session(client):
    user = UserFactory()
    token = issue(user)
    browser = type(client)()
    browser.force_login(user)
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"/accounts/password-reset/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert not works(token)
    assert browser.get(reverse("accounts:dashboard")).status_code == 302  # the other session ended too


def test_tokens_per_user_are_limited(settings):
    settings.API_TOKENS_PER_USER = 2
    user = UserFactory()
    issue(user, "a"), issue(user, "b")
    refused = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 409 and refused.json()["code"] == "too_many_tokens"


def test_the_token_answer_keeps_its_shape():
    user = UserFactory()
    body = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()
    assert set(body) == {"token", "id", "client", "expiry"} and body["client"] == "api"
    assert body["token"].startswith(body["id"])


def test_token_page_lists_and_revokes(client):
    user = UserFactory()
    token, _secret = token_issue(user=user, client="夜间导出")
    login_verified(client, user)
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "夜间导出" in page and token.token_key in page
    client.post(reverse("accounts:token_revoke", args=[token.token_key]))
    assert not ApiToken.objects.filter(user=user).exists()


def test_token_page_log_out_everywhere(client):
    user = UserFactory()
    token_issue(user=user, client="a"), token_issue(user=user, client="b")
    login_verified(client, user)
    response = client.post(reverse("accounts:logout_everywhere"))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()
    assert client.get(reverse("accounts:dashboard")).status_code == 302  # logged out


def test_token_pages_refuse_anonymous_visitors(client):
    assert client.get(reverse("accounts:tokens")).status_code == 302
    assert APIClient().get("/api/v1/auth/tokens/").status_code in (401, 403)


def test_a_wrong_or_revoked_token_is_refused_in_chinese():
    response = api_with("f" * 64).get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["message"] == "认证令牌无效。"


def test_admin_lists_api_tokens(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True, organisation=None)
    token_issue(user=admin_user, client="admin script")
    login_verified(client, admin_user)
    assert "admin script" in client.get("/admin/accounts/apitoken/").content.decode()
    assert client.get("/admin/").status_code == 200
    assert b"knox" not in client.get("/admin/").content.lower()


def test_the_schema_describes_the_token_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in ["auth/token/", "auth/tokens/", "auth/tokens/{key}/", "auth/logout/", "auth/logout-all/"]:
        assert f"/api/v1/{path}" in schema["paths"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_token_requests_respect_the_per_user_limit(settings):
    import threading

    from django.db import connection

    from smevoucher.core.errors import Conflict

    settings.API_TOKENS_PER_USER = 3
    user = UserFactory()
    outcomes, barrier = [], threading.Barrier(8)

    def worker(n):
        try:
            barrier.wait()
            token_issue(user=user, client=f"c{n}")
            outcomes.append("issued")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["issued"] * 3 + ["refused"] * 5
    assert ApiToken.objects.filter(user=user).count() == 3
