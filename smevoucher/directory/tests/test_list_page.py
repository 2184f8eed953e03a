"""Issue 13 (7): the directory list searches name and source document, filters level and status, pages, says
what to do when empty, and costs the same per page."""

from datetime import date

import pytest

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.core import clock
from smevoucher.directory import services
from smevoucher.directory.factories import directory_entry

pytestmark = pytest.mark.django_db


client = logged_in_client


def shown(c, **params) -> set[int]:
    response = c.get("/directory/", params)
    assert response.status_code == 200
    return {entry.pk for entry in response.context["page"]}


def test_search_level_and_status_narrow_the_entries():
    unit = province_user()
    lawyers = directory_entry(name="广东律师服务中心（有限公司）", actor=unit)
    station = directory_entry(name="广州市白云服务站", level="gz_station", actor=unit)
    expired = directory_entry(actor=unit, valid_until=date(clock.today().year - 1, 12, 31))
    services.entry_set_active(actor=unit, entry_id=station.pk, active=False)
    c = client(unit)

    assert shown(c) == {lawyers.pk, station.pk, expired.pk}
    assert shown(c, q="律师") == {lawyers.pk}
    assert shown(c, q="测试认定文件") == {lawyers.pk, station.pk, expired.pk}  # the source document
    assert shown(c, level="gz_station") == {station.pk}
    assert shown(c, state="inactive") == {station.pk}
    assert shown(c, state="expired") == {expired.pk}
    assert shown(c, state="valid", q="白云") == set()
    assert 'data-testid="empty-state"' in c.get("/directory/", {"q": "没有这个平台"}).content.decode()


@pytest.mark.parametrize("user", [province_user, lambda: city_unit_user("440100")])
def test_an_empty_directory_says_what_to_do(user):
    html = client(user()).get("/directory/").content.decode()
    assert 'data-testid="empty-state"' in html


@pytest.mark.parametrize(
    "url", ["/directory/", "/directory/?q=平台&level=provincial&state=valid", "/directory/?page=2"]
)
def test_the_directory_costs_the_same_queries_for_few_or_many_rows(url, django_assert_max_num_queries):
    unit = province_user()
    directory_entry(actor=unit)
    c = client(unit)
    c.get(url)  # warm caches (sessions, permissions)
    with django_assert_max_num_queries(16) as few:  # the list, recent imports and the navigation's badges
        c.get(url)
    for _ in range(60):
        directory_entry(actor=unit)
    # At most the count more: a first page that is not full holds every row and is not counted (core.lists).
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        c.get(url)
