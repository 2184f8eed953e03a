"""Issue 13 (7): the messages list searches titles, filters read/unread, pages, and costs the same per page."""

import pytest

from smevoucher.accounts.factories import UserFactory, logged_in_client
from smevoucher.notices import services
from smevoucher.notices.services import notify

pytestmark = pytest.mark.django_db


client = logged_in_client


def test_search_and_the_read_filter_narrow_the_messages():
    user = UserFactory()
    invoice = notify([user], event="order.confirmed", title="发票已退回")[0]
    review = notify([user], event="order.confirmed", title="注册审核通过")[0]
    services.notification_mark_read(user=user, notification_id=review.pk)
    c = client(user)

    def titles(**params):
        return [n.title for n in c.get("/notifications/", params).context["page"]]

    assert sorted(titles()) == sorted([invoice.title, review.title])
    assert titles(q="发票") == [invoice.title]
    assert titles(status="unread") == [invoice.title]
    assert titles(status="read") == [review.title]
    assert titles(q="发票", status="read") == []
    assert 'data-testid="empty-state"' in c.get("/notifications/", {"q": "没有这条"}).content.decode()


def test_an_empty_inbox_says_what_comes_here():
    html = client(UserFactory()).get("/notifications/").content.decode()
    assert 'data-testid="empty-state"' in html and 'data-testid="list-filter"' in html


@pytest.mark.parametrize("url", ["/notifications/", "/notifications/?q=消息&status=unread", "/notifications/?page=2"])
def test_the_messages_list_costs_the_same_queries_for_few_or_many_rows(url, django_assert_max_num_queries):
    user = UserFactory()
    c = client(user)
    notify([user], event="order.confirmed", title="消息")
    c.get(url)  # warm caches (sessions, permissions)
    with django_assert_max_num_queries(12) as few:  # the list and the navigation's badges
        c.get(url)
    for _ in range(70):
        notify([user], event="order.confirmed", title="消息")
    # At most the count more: a first page that is not full holds every row and is not counted (core.lists).
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        c.get(url)
