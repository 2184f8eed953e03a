"""The public catalogue and R2: an enterprise sees only what may serve its city, on the pages and through the API;
search and filters; the pages and API endpoints refuse whoever may not see a product."""

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified, provider_user, province_user
from smevoucher.accounts.models import City
from smevoucher.catalogue import services
from smevoucher.catalogue.factories import content, draft_product, files, published_product
from smevoucher.documents.models import Kind
from smevoucher.documents.services import document_upload
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise
from smevoucher.providers.factories import approved_provider, provider_user_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    station = approved_provider(level="gz_station")  # Guangzhou only (R2)
    provincial = approved_provider(level="provincial")
    every = list(City.objects.values_list("pk", flat=True))
    gz_product = published_product(station, name="广州专属培训")
    all_product = published_product(
        provincial, name="全省数字化咨询", category="report_consulting", regions=every, tiers=False
    )
    return {
        "gz_product": gz_product,
        "all_product": all_product,
        "shenzhen": enterprise_user(sign_up_enterprise(city_code="440300")),
        "guangzhou": enterprise_user(sign_up_enterprise(city_code="440100")),
    }


def api_ids(user, **params) -> set[int]:
    api = APIClient()
    if user:
        api.force_authenticate(user)
    response = api.get("/api/v1/catalogue/", params)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_a_guangzhou_only_providers_products_never_appear_to_a_shenzhen_enterprise(client, world):
    gz, everywhere = world["gz_product"], world["all_product"]
    client.force_login(world["shenzhen"])
    page = client.get("/catalogue/").content.decode()
    assert "全省数字化咨询" in page and "广州专属培训" not in page
    assert client.get(f"/catalogue/{gz.pk}/").status_code == 404
    assert list(client.get("/catalogue/", {"q": "广州专属"}).context["page"].object_list) == []
    assert api_ids(world["shenzhen"]) == {everywhere.pk}
    api = APIClient()
    api.force_authenticate(world["shenzhen"])
    assert api.get(f"/api/v1/catalogue/{gz.pk}/").status_code == 404
    assert api_ids(world["shenzhen"], city="440100") == {everywhere.pk}  # filtering by Guangzhou does not open it


def test_a_guangzhou_enterprise_and_anonymous_visitors_see_both(client, world):
    both = {world["gz_product"].pk, world["all_product"].pk}
    assert api_ids(world["guangzhou"]) == both
    assert api_ids(None) == both
    response = client.get(f"/catalogue/{world['gz_product'].pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "¥3,000.00" in page and "¥8,800.00" in page  # prices through the yuan filter
    assert world["gz_product"].provider.name in page


def test_a_provincial_product_limited_to_guangzhou_is_not_shown_in_shenzhen(world):
    provincial = world["all_product"].provider
    gz_only = published_product(provincial, name="广州线下服务")
    assert gz_only.pk not in api_ids(world["shenzhen"])
    assert gz_only.pk in api_ids(world["guangzhou"])


def test_search_and_filters(client, world):
    gz, everywhere = world["gz_product"], world["all_product"]
    assert api_ids(None, q="数字化") == {everywhere.pk}
    assert api_ids(None, category="training") == {gz.pk}
    assert api_ids(None, city="440300") == {everywhere.pk}
    assert api_ids(None, price_max_fen=300000) == {gz.pk}  # the cheapest tier is ¥3,000
    assert api_ids(None, price_min_fen=850000) == {gz.pk}  # its dearest tier is ¥8,800; the other costs ¥8,000
    assert api_ids(None, price_min_fen=900000) == set()
    response = client.get("/catalogue/", {"price_max": "3,000", "category": "training"})
    assert [p.pk for p in response.context["page"].object_list] == [gz.pk]


def test_drafts_and_products_in_review_are_not_in_the_catalogue():
    draft = draft_product()
    assert draft.pk not in api_ids(None)


def test_the_product_page_shows_what_an_enterprise_needs(client, world):
    client.force_login(world["guangzhou"])
    page = client.get(f"/catalogue/{world['gz_product'].pk}/").content.decode()
    for text in ["基础班", "1天课程，20人以内", "¥3,000.00", "¥5,800.00", "¥8,800.00", "广州市", "30个工作日"]:
        assert text in page, text


# --- permissions --------------------------------------------------------------------------------------------------


@pytest.fixture
def matrix():
    station = approved_provider(level="gz_station")
    product = draft_product(station)
    services.product_submit(actor=provider_user_of(station), product_id=product.pk)
    return {
        "product": product,
        "users": {
            "own": provider_user_of(station),
            "other_provider": provider_user_of(approved_provider()),
            "bare_provider": provider_user(),
            "enterprise": enterprise_user(sign_up_enterprise()),
            "gz_unit": city_unit_user("440100"),
            "sz_unit": city_unit_user("440300"),
            "province": province_user(),
        },
    }


MATRIX = [
    # who, own product page, review page, API detail, may decide
    ("own", 200, 302, 200, False),
    ("other_provider", 404, 404, 404, False),
    ("bare_provider", 404, 404, 404, False),
    ("enterprise", 404, 404, 404, False),
    ("gz_unit", 302, 200, 200, True),
    ("sz_unit", 404, 404, 404, False),
    ("province", 302, 200, 200, False),  # sees everything, decides on national and provincial products only (R4)
]


@pytest.mark.parametrize(("who", "mine", "review", "api", "decides"), MATRIX)
def test_permission_matrix(client, matrix, who, mine, review, api, decides):
    user, product = matrix["users"][who], matrix["product"]
    login_verified(client, user)
    assert client.get(f"/products/{product.pk}/").status_code == mine
    assert client.get(f"/products/{product.pk}/review/").status_code == review
    assert client.get(f"/products/{product.pk}/edit/").status_code in ((302,) if who == "own" else (404,))
    rest = APIClient()
    rest.force_authenticate(user)
    response = rest.get(f"/api/v1/products/{product.pk}/")
    assert response.status_code == api
    if api == 404:
        assert response.json()["code"] == "not_found"
    response = rest.post(f"/api/v1/products/{product.pk}/return/", {"reason": "请补充"}, format="json")
    assert response.status_code == (200 if decides else 404)
    assert rest.patch(f"/api/v1/products/{product.pk}/", {"name": "x"}, format="json").status_code == (
        409 if who == "own" else 404
    )


@pytest.mark.parametrize("who", ["enterprise", "gz_unit", "province"])
def test_only_providers_create_products_through_the_api(matrix, who):
    rest = APIClient()
    rest.force_authenticate(matrix["users"][who])
    response = rest.post("/api/v1/products/", {"name": "x"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_anonymous_visitors_are_refused_outside_the_catalogue(client, matrix):
    product = matrix["product"]
    for path in ["/products/", "/products/new/", f"/products/{product.pk}/", "/products/review/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    rest = APIClient()
    assert rest.get(f"/api/v1/products/{product.pk}/").status_code in (401, 403)
    assert rest.post("/api/v1/products/", {}, format="json").status_code in (401, 403)


def test_review_queue_lists_only_the_units_own_decisions(client, matrix):
    login_verified(client, matrix["users"]["gz_unit"])
    assert client.get("/products/review/").context["page"].object_list[0][0].pk == matrix["product"].pk
    for who in ("sz_unit", "province"):
        login_verified(client, matrix["users"][who])
        assert list(client.get("/products/review/").context["page"].object_list) == []
    login_verified(client, matrix["users"]["own"])
    assert client.get("/products/review/").status_code == 404


def test_the_reviewing_unit_can_open_the_products_materials(client, matrix):
    revision = matrix["product"].revisions.get()
    contract = revision.material_sets.first().contract_id
    login_verified(client, matrix["users"]["gz_unit"])
    assert client.get(f"/documents/{contract}/preview/").status_code == 200
    assert client.get(f"/products/{matrix['product'].pk}/review/").status_code == 200
    login_verified(client, matrix["users"]["sz_unit"])
    assert client.get(f"/documents/{contract}/preview/").status_code == 404
    login_verified(client, matrix["users"]["enterprise"])
    assert client.get(f"/documents/{contract}/preview/").status_code == 404


def test_the_same_file_in_another_product_shows_on_the_review_page(client):
    provider = approved_provider()
    user = provider_user_of(provider)
    first = draft_product(provider, tiers=False)
    services.product_submit(actor=user, product_id=first.pk)
    second = draft_product(provider, tiers=False)
    contract = first.revisions.get().material_sets.get().contract_id
    services.material_set_update(actor=user, product_id=second.pk, position=1, contract=contract)
    services.product_submit(actor=user, product_id=second.pk)
    login_verified(client, province_user())
    page = client.get(f"/products/{second.pk}/review/").content.decode()
    assert 'data-testid="finding"' in page


# --- the API path end to end ----------------------------------------------------------------------------------------


def test_api_create_add_sets_submit_approve_and_find(world):
    provider = approved_provider(level="provincial")
    user = provider_user_of(provider)
    rest = APIClient()
    rest.force_authenticate(user)
    body = content(provider, category="ip_agency", tiers=False)
    body["regions"] = ["440100", "440300"]
    body.pop("qualification", None)
    response = rest.post("/api/v1/products/", body, format="json")
    assert response.status_code == 201, response.json()
    product_id = response.json()["id"]
    assert any("at least one set" in m or "至少提供一套" in m for m in response.json()["missing"])
    assert rest.post(f"/api/v1/products/{product_id}/submit/").status_code == 400

    def doc(kind):
        return document_upload(actor=user, kind=kind, files=files(kind)).pk

    response = rest.post(
        f"/api/v1/products/{product_id}/material-sets/",
        {
            "title": "某企业商标注册",
            "contract": doc(Kind.HISTORY_CONTRACT),
            "invoice": doc(Kind.HISTORY_INVOICE),
            "evidence": {"acceptance_notice": doc(Kind.HISTORY_DELIVERABLE)},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    wrong_kind = rest.post(
        f"/api/v1/products/{product_id}/material-sets/",
        {"title": "x", "contract": doc(Kind.HISTORY_INVOICE), "invoice": doc(Kind.HISTORY_INVOICE)},
        format="json",
    )
    assert wrong_kind.status_code == 400 and "contract" in wrong_kind.json()["fields"]
    response = rest.post(f"/api/v1/products/{product_id}/submit/")
    assert response.status_code == 200 and response.json()["working_revision"]["state"] == "submitted"
    unit = APIClient()
    unit.force_authenticate(province_user())
    response = unit.post(f"/api/v1/products/{product_id}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert product_id in api_ids(world["shenzhen"])
    response = unit.post(f"/api/v1/products/{product_id}/take-down/", {"reason": ""}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
    response = unit.post(f"/api/v1/products/{product_id}/take-down/", {"reason": "无关内容"}, format="json")
    assert response.json()["status"] == "taken_down"
    assert product_id not in api_ids(world["shenzhen"])


def test_api_refuses_a_region_outside_the_scope(world):
    station = world["gz_product"].provider
    rest = APIClient()
    rest.force_authenticate(provider_user_of(station))
    body = content(station, tiers=False)
    body.pop("qualification", None)
    body["regions"] = ["440300"]
    response = rest.post("/api/v1/products/", body, format="json")
    assert response.status_code == 400 and "regions" in response.json()["fields"]
