"""Issue 16 (4): token authentication is served from the cache (no database query for the token per request),
and revocation is immediate: deleting a token, or changing its user, deletes the cache entry."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.settings import CONSTANTS

from smevoucher.accounts.factories import UserFactory
from smevoucher.accounts.models import ApiToken
from smevoucher.accounts.tokens import _cache_key, token_revoke

from .test_tokens import api_with, issue, works

pytestmark = pytest.mark.django_db


def token_queries(token: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api_with(token).get("/api/v1/me/").status_code == 200
    return sum("accounts_apitoken" in q["sql"] for q in queries)


def cached(token: str) -> bool:
    return cache.get(_cache_key(token[: CONSTANTS.TOKEN_KEY_LENGTH])) is not None


def test_after_the_first_request_a_token_is_authenticated_without_reading_the_token_table():
    token = issue(UserFactory())
    assert token_queries(token) >= 1  # the first request reads the row and caches it
    assert cached(token)
    assert token_queries(token) == 0


def test_a_cached_entry_does_not_accept_a_different_secret_with_the_same_key():
    token = issue(UserFactory())
    assert works(token)
    forged = token[: CONSTANTS.TOKEN_KEY_LENGTH] + "0" * (len(token) - CONSTANTS.TOKEN_KEY_LENGTH)
    assert forged != token and not works(forged)


def test_revoking_a_token_deletes_its_cache_entry_and_it_stops_working_at_once():
    user = UserFactory()
    token, other = issue(user, "a"), issue(user, "b")
    assert works(token) and works(other) and cached(token)
    token_revoke(actor=user, token_key=ApiToken.objects.get(user=user, client="a").token_key)
    assert not cached(token) and cached(other)
    assert not works(token) and works(other)


def test_logout_through_the_api_stops_the_cached_token():
    token = issue(UserFactory())
    assert works(token)
    assert api_with(token).post("/api/v1/auth/logout/").status_code == 204
    assert not cached(token) and not works(token)


def test_deactivating_the_user_stops_its_cached_tokens():
    user = UserFactory()
    token = issue(user)
    assert works(token) and cached(token)
    user.is_active = False
    user.save()
    assert not cached(token) and not works(token)
