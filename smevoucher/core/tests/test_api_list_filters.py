"""Every list page's search and status filter also exists in its API (`q`, `status`): the same rows for the same
text, and a value the page would refuse is a 400 in the API's error format, never an unfiltered list."""

import pytest

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.notices.services import notify
from smevoucher.orders import factories as orders
from smevoucher.redemption import factories as redemption

pytestmark = pytest.mark.django_db

NOTHING = "没有这样的名字"


@pytest.fixture
def w():
    return orders.world()


def ids(client, url: str, **params) -> set[int]:
    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.content[:300])
    return {row["id"] for row in response.json()["results"]}


def test_each_list_endpoint_searches_what_its_page_searches(w):
    application = redemption.submitted(w, redemption.confirmed_payments(w, count=1))
    unit, province = logged_in_client(w.unit), logged_in_client(province_user())
    provider = logged_in_client(w.provider_user)
    enterprise_name, provider_name = w.enterprise.organisation.name, w.provider.organisation.name
    cases = [  # client, endpoint, text that finds the row, the row
        (unit, "/api/v1/enterprises/", enterprise_name[-6:], w.enterprise.pk),
        (unit, "/api/v1/enterprises/", w.enterprise.uscc, w.enterprise.pk),
        (province, "/api/v1/providers/", provider_name[-6:], w.provider.pk),
        (provider, "/api/v1/products/", w.revision.name, w.product.pk),
        (unit, "/api/v1/batches/", w.batch.name, w.batch.pk),
        (unit, "/api/v1/redemptions/", application.number.lower(), application.pk),
        (provider, "/api/v1/redemptions/", provider_name, application.pk),
    ]
    for client, url, text, pk in cases:
        assert pk in ids(client, url, q=text), (url, text)
        assert ids(client, url, q=NOTHING) == set(), url


def test_the_messages_api_searches_titles_and_filters_read_and_unread(w):
    first, second = (
        notify([w.enterprise_user], event="test", title="合同待确认"),
        notify([w.enterprise_user], event="test", title="付款已确认"),
    )
    client = logged_in_client(w.enterprise_user)
    assert ids(client, "/api/v1/notifications/", q="合同") == {first[0].pk}
    second[0].read_at = second[0].created_at
    second[0].save(update_fields=["read_at"])
    assert ids(client, "/api/v1/notifications/", q="确认", status="read") == {second[0].pk}
    assert second[0].pk not in ids(client, "/api/v1/notifications/", status="unread")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/orders/",
        "/api/v1/refund-requests/",
        "/api/v1/enterprises/",
        "/api/v1/providers/",
        "/api/v1/products/",
        "/api/v1/complaints/",
        "/api/v1/redemptions/",
        "/api/v1/batches/",
        "/api/v1/notifications/",
    ],
)
def test_a_filter_the_page_would_refuse_is_a_400(url):
    client = logged_in_client(city_unit_user())
    for params, field in (({"status": "不存在的状态"}, "status"), ({"q": "长" * 101}, "q")):
        response = client.get(url, params)
        body = response.json()
        assert response.status_code == 400 and set(body) == {"code", "message", "fields"}, (url, body)
        assert field in body["fields"], (url, body)
