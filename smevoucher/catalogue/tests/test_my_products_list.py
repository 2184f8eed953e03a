"""Issue 13 (7): the provider's own products list searches product names, filters by status, shows when each was
created, pages, and costs the same per page."""

import pytest
from django.utils import timezone

from smevoucher.accounts.factories import logged_in_client
from smevoucher.catalogue import services
from smevoucher.catalogue.factories import content, published_product
from smevoucher.providers.factories import approved_provider, provider_user_of

pytestmark = pytest.mark.django_db


client = logged_in_client


def draft(provider, name=None):
    data = content(provider, **({"name": name} if name else {}))
    return services.product_create(actor=provider_user_of(provider), **data)


def shown(c, **params) -> set[int]:
    response = c.get("/products/", params)
    assert response.status_code == 200
    return {product.pk for product, _shown, _working in response.context["rows"]}


def test_search_and_status_narrow_the_products():
    published = published_product(name="企业所得税汇算清缴辅导")
    provider = published.provider
    drafted = draft(provider, "知识产权申报辅导")
    c = client(provider_user_of(provider))

    assert shown(c) == {published.pk, drafted.pk}
    assert shown(c, q="知识产权") == {drafted.pk}
    assert shown(c, q="辅导") == {published.pk, drafted.pk}
    assert shown(c, status="published") == {published.pk}
    assert shown(c, status="unpublished", q="所得税") == set()
    html = c.get("/products/", {"q": "没有这个产品"}).content.decode()
    assert 'data-testid="empty-state"' in html
    shown_on = timezone.localtime(published.created_at).strftime("%Y-%m-%d")  # the page shows Shanghai dates
    assert shown_on in c.get("/products/").content.decode()


def test_a_product_whose_revisions_all_match_is_listed_once():
    """The search looks in every revision's name (the published one and the one being edited): a product matching in
    both shows once on the page and in the API, and counts once."""
    product = published_product(name="企业所得税汇算清缴辅导")
    user = provider_user_of(product.provider)
    services.product_update(actor=user, product_id=product.pk, name="企业所得税辅导（新版）")
    assert product.revisions.filter(name__contains="所得税").count() == 2
    c = client(user)

    assert shown(c, q="所得税") == {product.pk} and shown(c, q="新版") == {product.pk}
    listed = c.get("/api/v1/products/", {"q": "所得税"}).json()
    assert [row["id"] for row in listed["results"]] == [product.pk] and listed["count"] == 1


def test_an_empty_list_says_what_to_do():
    html = client(provider_user_of(approved_provider())).get("/products/").content.decode()
    assert 'data-testid="empty-state"' in html and 'data-testid="list-filter"' in html


@pytest.mark.parametrize("url", ["/products/", "/products/?q=测试&status=unpublished", "/products/?page=2"])
def test_my_products_cost_the_same_queries_for_few_or_many_rows(url, django_assert_max_num_queries):
    provider = approved_provider()
    draft(provider)
    c = client(provider_user_of(provider))
    c.get(url)  # warm caches (sessions, permissions)
    with django_assert_max_num_queries(16) as few:  # the list and the navigation's badges
        c.get(url)
    for _ in range(8):
        draft(provider)
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(url)
