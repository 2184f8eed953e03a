"""Permission matrix (CONVENTIONS §6) for registrations: a city unit sees and decides only its own."""

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified, provider_user, province_user
from smevoucher.directory.factories import directory_entry
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise
from smevoucher.providers.factories import provider_user_of, register_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    gz_station = register_provider(entry=directory_entry(level="gz_station", city_code="440100"))
    sz_municipal = register_provider(entry=directory_entry(level="municipal", city_code="440300"))
    provincial = register_provider(level="provincial")
    return {
        "gz_station": gz_station,
        "sz_municipal": sz_municipal,
        "provincial": provincial,
        "users": {
            "own": provider_user_of(gz_station),
            "other_provider": provider_user_of(provincial),
            "bare_provider": provider_user(),
            "enterprise": enterprise_user(sign_up_enterprise()),
            "gz_unit": city_unit_user("440100"),
            "sz_unit": city_unit_user("440300"),
            "province": province_user(),
        },
    }


# (who, expected status for the Guangzhou station's registration, page and API)
DETAIL_MATRIX = [
    ("own", 302),  # its own page is its profile
    ("other_provider", 404),
    ("bare_provider", 404),
    ("enterprise", 404),
    ("gz_unit", 200),
    ("sz_unit", 404),
    ("province", 200),
]


@pytest.mark.parametrize(("who", "expected"), DETAIL_MATRIX)
def test_registration_page(client, world, who, expected):
    login_verified(client, world["users"][who])
    assert client.get(f"/providers/{world['gz_station'].pk}/").status_code == expected


@pytest.mark.parametrize(("who", "expected"), DETAIL_MATRIX)
def test_registration_api(world, who, expected):
    api = APIClient()
    api.force_authenticate(world["users"][who])
    response = api.get(f"/api/v1/providers/{world['gz_station'].pk}/")
    assert response.status_code == (200 if expected == 302 else expected)
    if response.status_code == 404:
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("own", {"gz_station"}),
        ("other_provider", {"provincial"}),
        ("bare_provider", set()),
        ("enterprise", set()),
        ("gz_unit", {"gz_station"}),
        ("sz_unit", {"sz_municipal"}),
        ("province", {"gz_station", "sz_municipal", "provincial"}),
    ],
)
def test_list_api_is_scoped(world, who, visible):
    api = APIClient()
    api.force_authenticate(world["users"][who])
    ids = {row["id"] for row in api.get("/api/v1/providers/").json()["results"]}
    assert ids == {world[key].pk for key in visible}


def test_city_unit_queue_page_shows_only_its_registrations(client, world):
    login_verified(client, world["users"]["sz_unit"])
    page = client.get("/providers/").content.decode()
    assert world["sz_municipal"].name in page
    assert world["gz_station"].name not in page and world["provincial"].name not in page


def test_province_queue_marks_only_its_own_decisions(client, world):
    login_verified(client, world["users"]["province"])
    response = client.get("/providers/")
    assert response.context["queue_ids"] == {world["provincial"].pk}


@pytest.mark.parametrize("who", ["own", "enterprise", "bare_provider"])
def test_queue_page_is_for_units_only(client, world, who):
    login_verified(client, world["users"][who])
    assert client.get("/providers/").status_code == 404


def test_a_city_unit_cannot_read_another_units_materials(client, world):
    login_verified(client, world["users"]["gz_unit"])
    licence = world["sz_municipal"].licence_id
    assert client.get(f"/documents/{licence}/preview/").status_code == 404


def test_the_province_reads_a_provincial_providers_materials(client, world):
    login_verified(client, world["users"]["province"])
    assert client.get(f"/documents/{world['provincial'].commitment_letter_id}/preview/").status_code == 200


def test_directory_pages_permissions(client, world):
    login_verified(client, world["users"]["gz_unit"])
    assert client.get("/directory/").status_code == 200  # units read the directory
    assert client.get("/directory/new/").status_code == 404  # only the province keeps it
    assert client.get("/directory/import/").status_code == 404
    login_verified(client, world["users"]["own"])
    assert client.get("/directory/").status_code == 404
    login_verified(client, world["users"]["province"])
    assert client.get("/directory/new/").status_code == 200
    assert client.get("/directory/import/").status_code == 200


def test_directory_api_permissions(world):
    api = APIClient()
    api.force_authenticate(world["users"]["gz_unit"])
    assert api.get("/api/v1/directory/").status_code == 200
    payload = {"name": "新平台", "level": "provincial", "recognition_year": 2020, "valid_until": "2030-12-31"}
    assert api.post("/api/v1/directory/", payload, format="json").status_code == 404
    api.force_authenticate(world["users"]["province"])
    assert api.post("/api/v1/directory/", payload, format="json").status_code == 201
    api.force_authenticate(world["users"]["own"])
    assert api.get("/api/v1/directory/").status_code == 403
