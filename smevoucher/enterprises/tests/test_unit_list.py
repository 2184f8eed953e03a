"""Issue 13 (7): the unit's enterprise list searches name and credit code, filters by status, pages, and costs the
same per page."""

import pytest

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.enterprises import services
from smevoucher.enterprises.factories import sign_up_enterprise

pytestmark = pytest.mark.django_db


client = logged_in_client


def shown(c, **params) -> set[int]:
    response = c.get("/enterprises/", params)
    assert response.status_code == 200
    return {enterprise.pk for enterprise in response.context["page"]}


def test_search_and_status_narrow_the_enterprises():
    first, second = sign_up_enterprise(name="甲乙科技有限公司"), sign_up_enterprise(name="丙丁贸易有限公司")
    unit = city_unit_user("440100")
    services.enterprise_approve(actor=unit, enterprise_id=second.pk)
    c = client(unit)

    assert shown(c) == {first.pk, second.pk}
    assert shown(c, q="甲乙") == {first.pk}
    assert shown(c, q=second.uscc.lower()) == {second.pk}
    assert shown(c, q=second.uscc[-8:]) == {second.pk}
    assert shown(c, status="approved") == {second.pk}
    assert shown(c, status="pending", q="丙丁") == set()
    assert 'data-testid="empty-state"' in c.get("/enterprises/", {"q": "没有这家企业"}).content.decode()


def test_an_empty_list_says_what_comes_here():
    html = client(city_unit_user("440300")).get("/enterprises/").content.decode()
    assert 'data-testid="empty-state"' in html and 'data-testid="list-filter"' in html


@pytest.mark.parametrize("url", ["/enterprises/", "/enterprises/?q=有限公司&status=pending", "/enterprises/?page=2"])
def test_the_enterprise_list_costs_the_same_queries_for_few_or_many_rows(url, django_assert_max_num_queries):
    sign_up_enterprise()
    c = client(province_user())
    c.get(url)  # warm caches (sessions, permissions)
    with django_assert_max_num_queries(17) as few:  # the list, the search's id look-up and the badges
        c.get(url)
    for _ in range(8):
        sign_up_enterprise()
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(url)
