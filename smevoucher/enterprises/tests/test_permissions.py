"""Permission matrix (CONVENTIONS §6): who may see which enterprise, through pages and the API."""

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified, provider_user, province_user
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    gz = sign_up_enterprise(city_code="440100")
    sz = sign_up_enterprise(city_code="440300")
    return {
        "gz": gz,
        "sz": sz,
        "users": {
            "own": enterprise_user(gz),
            "other_enterprise": enterprise_user(sz),
            "provider": provider_user(),
            "gz_unit": city_unit_user("440100"),
            "sz_unit": city_unit_user("440300"),
            "province": province_user(),
            "anonymous": None,
        },
    }


# (who, expected status of the Guangzhou enterprise's page and API detail)
DETAIL_MATRIX = [
    ("own", 200),
    ("other_enterprise", 404),
    ("provider", 404),
    ("gz_unit", 200),
    ("sz_unit", 404),
    ("province", 200),
]


@pytest.mark.parametrize(("who", "expected"), DETAIL_MATRIX)
def test_enterprise_detail_page(client, world, who, expected):
    login_verified(client, world["users"][who])
    assert client.get(f"/enterprises/{world['gz'].pk}/").status_code == expected


@pytest.mark.parametrize(("who", "expected"), DETAIL_MATRIX)
def test_enterprise_detail_api(world, who, expected):
    api = APIClient()
    api.force_authenticate(world["users"][who])
    response = api.get(f"/api/v1/enterprises/{world['gz'].pk}/")
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["code"] == "not_found"  # "not yours" answered exactly like "missing"


def test_anonymous_is_sent_to_login_and_refused_by_api(client, world):
    assert client.get(f"/enterprises/{world['gz'].pk}/").url.startswith("/accounts/login/")
    assert APIClient().get(f"/api/v1/enterprises/{world['gz'].pk}/").status_code in (401, 403)
    assert APIClient().get("/api/v1/enterprises/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("own", {"gz"}),
        ("other_enterprise", {"sz"}),
        ("provider", set()),
        ("gz_unit", {"gz"}),
        ("sz_unit", {"sz"}),
        ("province", {"gz", "sz"}),
    ],
)
def test_enterprise_list_api_is_scoped(world, who, visible):
    api = APIClient()
    api.force_authenticate(world["users"][who])
    ids = {row["id"] for row in api.get("/api/v1/enterprises/").json()["results"]}
    assert ids == {world[key].pk for key in visible}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("own", 403),
        ("provider", 403),
        ("gz_unit", 200),
        ("province", 200),
    ],
)
def test_unit_list_page_only_for_units(client, world, who, expected):
    login_verified(client, world["users"][who])
    assert client.get("/enterprises/").status_code == expected


def test_city_unit_list_page_shows_only_its_city(client, world):
    login_verified(client, world["users"]["gz_unit"])
    page = client.get("/enterprises/").content.decode()
    assert world["gz"].name in page and world["sz"].name not in page


def test_enterprise_home_shows_only_own(client, world):
    login_verified(client, world["users"]["own"])
    page = client.get("/enterprises/mine/").content.decode()
    assert world["gz"].name in page and world["sz"].name not in page
