"""Issue 14 (7): a Content-Security-Policy on every page; `Cache-Control: no-store` on what a logged-in user
sees and on every API answer, while public pages stay cacheable."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from smevoucher.accounts.factories import PASSWORD, UserFactory, city_unit_user, login_verified

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/flow/", "/notices/", "/catalogue/", "/accounts/login/", "/api/docs/"])
def test_every_page_carries_a_policy_without_inline_script(client, path):
    directives = policy(client.get(path))
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["object-src"] == ["'none'"]


def test_swagger_ui_runs_from_files_and_a_nonce(client):
    response = client.get("/api/docs/")
    page = response.content.decode()
    nonce = next(item for item in policy(response)["style-src"] if item.startswith("'nonce-"))[7:-1]
    assert f'<style nonce="{nonce}">' in page
    assert "<script>" not in page and "?script=" in page
    assert client.get("/api/docs/?script=").status_code == 200


def test_no_inline_script_or_handler_in_the_site_pages(client):
    login_verified(client, city_unit_user())
    for path in ["/", "/flow/", "/enterprises/", "/vouchers/batches/", "/help/"]:
        page = client.get(path).content.decode()
        assert "<script>" not in page and " onclick=" not in page and " onchange=" not in page, path


def test_authenticated_pages_are_not_stored(client):
    login_verified(client, UserFactory())
    response = client.get(reverse("accounts:tokens"))
    assert "no-store" in response.headers["Cache-Control"]
    assert "no-store" in client.get("/").headers["Cache-Control"]


def test_public_pages_stay_cacheable(client):
    for path in ["/", "/flow/", "/notices/"]:
        assert "no-store" not in client.get(path).headers.get("Cache-Control", ""), path


def test_every_api_answer_is_not_stored():
    user = UserFactory()
    api = APIClient()
    assert "no-store" in api.get("/api/v1/cities/").headers["Cache-Control"]  # public, but an API answer
    token = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert "no-store" in token.headers["Cache-Control"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert "no-store" in api.get("/api/v1/me/").headers["Cache-Control"]
    assert "no-store" in api.get("/api/v1/no-such-thing/").headers["Cache-Control"]
