import pytest
from django_otp.oath import totp
from rest_framework.test import APIClient

from smevoucher.accounts.factories import PASSWORD, UserFactory, city_unit_user, totp_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_token_for_enterprise_user_and_me(api):
    user = UserFactory()
    token = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert (me["username"], me["organisation"]["id"]) == (user.username, user.organisation_id)


def test_token_refused_with_wrong_password_in_chinese(api):
    user = UserFactory()
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert response.json()["message"] == "用户名或密码错误。"


def test_token_for_staff_needs_a_valid_totp_code(api):
    staff = city_unit_user()
    device = totp_device(staff)
    refused = api.post("/api/v1/auth/token/", {"username": staff.username, "password": PASSWORD})
    assert refused.status_code == 400 and refused.json()["code"] == "otp_required"
    code = f"{totp(device.bin_key):06d}"
    ok = api.post("/api/v1/auth/token/", {"username": staff.username, "password": PASSWORD, "otp_token": code})
    assert ok.status_code == 200 and ok.json()["token"]


def test_me_needs_authentication(api):
    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_cities_are_the_21_of_guangdong(api):
    cities = api.get("/api/v1/cities/").json()
    assert len(cities) == 21
    assert (cities[0]["code"], cities[0]["name"]) == ("440100", "广州市")
    assert (cities[-1]["code"], cities[-1]["name"]) == ("445300", "云浮市")


def test_english_on_request(api):
    response = api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "User name or password is wrong."


def test_openapi_schema_lists_the_endpoints(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    for path in ["/api/v1/auth/token/", "/api/v1/me/", "/api/v1/cities/", "/api/v1/enterprises/"]:
        assert path in paths


def test_an_api_log_in_is_traced_like_a_page_log_in(api, client):
    """Issue 17: the address and user-agent hash of an API token log-in are recorded, as for the log-in page."""
    from smevoucher.core import identity
    from smevoucher.core.models import ActionTrace

    user = UserFactory()
    agent = "ERP-Exporter/2.1"
    issued = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, HTTP_USER_AGENT=agent)
    assert issued.status_code == 200
    trace = ActionTrace.objects.get(user=user)
    assert trace.action == "log_in" and trace.ip_address == "127.0.0.1"
    assert trace.user_agent_hash == identity.user_agent_hash(agent)
    api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, HTTP_USER_AGENT=agent)
    assert ActionTrace.objects.filter(user=user).count() == 1  # a refused log-in is no log-in
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}, HTTP_USER_AGENT=agent)
    traces = ActionTrace.objects.filter(user=user)
    assert traces.count() == 2  # the page's log-in, traced the same way
    assert set(traces.values_list("action", "user_agent_hash")) == {("log_in", identity.user_agent_hash(agent))}
