"""Issue 14 (9): sign-up, log-in, password reset and token issue are rate-limited per client address; a
limited request gets a Chinese 429 page or the {"code": "rate_limited"} answer."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from smevoucher.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {"signup": "2/h", "login": "2/m", "password_reset": "2/h", "token": "2/m"}


def test_login_page_over_its_limit_gets_a_chinese_429(client, tight):
    user = UserFactory()
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    refused = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected, and reading the page is never limited.
    assert client.get(reverse("accounts:login")).status_code == 200
    other = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.3"
    )
    assert other.status_code == 302


def test_token_issue_over_its_limit_answers_rate_limited_json(tight):
    user = UserFactory()
    api = APIClient()
    answers = [api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "rate_limited" and "请求过于频繁" in answers[2].json()["message"]


def test_password_reset_over_its_limit(client, tight):
    for _ in range(2):
        assert client.post(reverse("accounts:password_reset"), {"email": "x@example.test"}).status_code == 302
    assert client.post(reverse("accounts:password_reset"), {"email": "x@example.test"}).status_code == 429


def test_sign_up_page_and_api_over_their_limit(client, tight):
    for _ in range(2):
        client.post(reverse("enterprises:sign_up"), {"name": ""})
    assert client.post(reverse("enterprises:sign_up"), {"name": ""}).status_code == 429
    api = APIClient(REMOTE_ADDR="198.51.100.9")
    for _ in range(2):
        assert api.post("/api/v1/enterprises/", {}, format="json").status_code == 400
    limited = api.post("/api/v1/enterprises/", {}, format="json")
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"


def test_provider_registration_is_limited_too(tight):
    api = APIClient()
    for _ in range(2):
        api.post("/api/v1/providers/", {}, format="multipart")
    assert api.post("/api/v1/providers/", {}, format="multipart").status_code == 429


def test_behind_the_proxy_the_limit_follows_the_forwarded_address(client, tight, settings):
    settings.BEHIND_TLS_PROXY = True
    user = UserFactory()
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert (
        client.post(
            reverse("accounts:login"), {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR="203.0.113.1"
        ).status_code
        == 429
    )
    allowed = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )
    assert allowed.status_code == 302
