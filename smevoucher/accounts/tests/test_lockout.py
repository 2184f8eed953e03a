"""Issue 14 (10): failed log-ins lock an address across user names, and the address is the TCP peer unless
BEHIND_TLS_PROXY says a trusted proxy's X-Forwarded-For may be believed."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from smevoucher.accounts.factories import PASSWORD, UserFactory
from smevoucher.core.client_address import client_address

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def attempt(client, user_or_name, password, **meta):
    name = getattr(user_or_name, "username", user_or_name)
    return client.post(LOGIN, {"username": name, "password": password}, **meta)


def logged_in(response) -> bool:
    return response.status_code == 302


def test_wrong_passwords_spread_over_many_names_lock_the_address(client):
    users = [UserFactory() for _ in range(6)]
    for user in users:
        for _ in range(4):  # below the per-name limit of 5
            attempt(client, user, "wrong", REMOTE_ADDR="203.0.113.9")
    refused = attempt(client, users[0], PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 403 and "登录失败次数过多" in refused.content.decode()
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": users[1].username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert token.status_code == 403 and token.json()["code"] == "locked_out"
    # The accounts themselves are not locked for everyone: another address logs in.
    assert logged_in(attempt(type(client)(), users[0], PASSWORD, REMOTE_ADDR="198.51.100.7"))


def test_a_few_mistakes_from_a_shared_office_address_lock_nobody(client):
    users = [UserFactory() for _ in range(6)]
    for user in users:
        attempt(client, user, "wrong", REMOTE_ADDR="203.0.113.20")
        attempt(client, user, "wrong", REMOTE_ADDR="203.0.113.20")
    assert logged_in(attempt(client, users[0], PASSWORD, REMOTE_ADDR="203.0.113.20"))


def test_logging_in_to_ones_own_account_does_not_clear_the_address_count(client, settings):
    own = UserFactory()
    victims = [UserFactory() for _ in range(5)]
    for victim in victims:
        for _ in range(3):
            attempt(client, victim, "wrong", REMOTE_ADDR="203.0.113.30")
    assert logged_in(attempt(client, own, PASSWORD, REMOTE_ADDR="203.0.113.30"))
    client.logout()
    for victim in victims[:2]:
        for _ in range(3):
            attempt(client, victim, "wrong", REMOTE_ADDR="203.0.113.30")
    assert not logged_in(attempt(client, victims[0], PASSWORD, REMOTE_ADDR="203.0.113.30"))


def test_without_the_proxy_setting_a_forged_forwarded_header_cannot_lock_someone_else(client, settings):
    settings.BEHIND_TLS_PROXY = False
    victim = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, victim, "wrong", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="198.51.100.1")
    # The victim's real address was named in the forged header, yet the victim still logs in from it ...
    assert logged_in(attempt(type(client)(), victim, PASSWORD, REMOTE_ADDR="198.51.100.1"))
    # ... while the attacker's own address is the one locked.
    assert not logged_in(attempt(client, victim, PASSWORD, REMOTE_ADDR="203.0.113.66"))


def test_behind_the_proxy_each_visitor_is_counted_by_the_address_the_proxy_saw(client, settings):
    settings.BEHIND_TLS_PROXY = True
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    victim = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # The attacker forges a left part; the proxy appends the address it really saw.
        attempt(client, victim, "wrong", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.66", **proxy)
    assert logged_in(attempt(type(client)(), victim, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy))
    assert not logged_in(attempt(client, victim, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy))


def request(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_client_address_rules(settings):
    settings.BEHIND_TLS_PROXY = False
    assert client_address(request(forwarded="198.51.100.1")) == "10.0.0.2"
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request(forwarded="1.1.1.1, 198.51.100.1")) == "198.51.100.1"
    assert client_address(request()) == "10.0.0.2"  # no header: the peer
    assert client_address(request(forwarded="not-an-address")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2  # a load balancer in front of the TLS proxy
    assert client_address(request(forwarded="1.1.1.1, 198.51.100.1, 10.0.0.1")) == "198.51.100.1"
    assert client_address(request(forwarded="198.51.100.1")) == "10.0.0.2"  # too few hops: not believed
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request(forwarded="198.51.100.1")) == "198.51.100.1"
    assert client_address(request(remote="203.0.113.5", forwarded="198.51.100.1")) == "203.0.113.5"
