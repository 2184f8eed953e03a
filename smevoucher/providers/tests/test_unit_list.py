"""Issue 13 (7): the unit's list of provider registrations searches name and credit code, filters by status, keeps
the workbench's ?queue=1, pages, and costs the same per page."""

import pytest

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.providers import services
from smevoucher.providers.factories import CHECKED, register_provider, reviewer_for

pytestmark = pytest.mark.django_db


client = logged_in_client


def shown(c, **params) -> set[int]:
    response = c.get("/providers/", params)
    assert response.status_code == 200
    return {provider.pk for provider in response.context["page"]}


def test_search_status_and_queue_narrow_the_registrations():
    first, second = register_provider(level="provincial"), register_provider(level="provincial")
    local = register_provider(level="municipal")  # a city unit decides it (R4); the province sees it, not in its queue
    approved = register_provider(level="provincial")
    services.provider_approve(actor=reviewer_for(approved), provider_id=approved.pk, checklist=CHECKED)
    c = client(province_user())

    assert shown(c) == {first.pk, second.pk, local.pk}  # submitted ones by default: the review queue
    assert shown(c, q=second.organisation.name) == {second.pk}
    assert shown(c, q=first.uscc.lower()) == {first.pk}
    assert shown(c, status="approved") == {approved.pk}
    assert shown(c, status="") == {first.pk, second.pk, local.pk, approved.pk}
    assert shown(c, queue="1") == {first.pk, second.pk}
    assert shown(c, queue="1", q=second.uscc) == {second.pk}
    html = c.get("/providers/", {"queue": "1"}).content.decode()
    assert '<input type="hidden" name="queue" value="1">' in html  # the search form keeps the queue
    assert 'href="?queue=1">' in html  # and so does clearing the filters
    assert 'data-testid="empty-state"' in c.get("/providers/", {"q": "没有这家机构"}).content.decode()


def test_an_empty_list_says_what_comes_here():
    html = client(city_unit_user("440300")).get("/providers/", {"status": ""}).content.decode()
    assert 'data-testid="empty-state"' in html and 'data-testid="list-filter"' in html


@pytest.mark.parametrize("url", ["/providers/", "/providers/?queue=1&q=平台&status=submitted", "/providers/?page=2"])
def test_the_registrations_list_costs_the_same_queries_for_few_or_many_rows(url, django_assert_max_num_queries):
    register_provider(level="provincial")
    c = client(province_user())
    c.get(url)  # warm caches (sessions, permissions)
    with django_assert_max_num_queries(17) as few:  # the list, the search's id look-up and the badges
        c.get(url)
    for _ in range(8):
        register_provider(level="provincial")
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(url)
