"""Issue 16: every list page and list endpoint costs the same number of queries for few or many rows (no query per
row, a bounded count), for each role that sees it, with its filters, searches and last page. Each case makes rows,
counts the queries of every URL, makes more rows, and asks for the same bound — and checks the rows did show."""

import pytest

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.catalogue.factories import published_product
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise
from smevoucher.notices import services as notices
from smevoucher.orders import factories as orders
from smevoucher.orders import services as order_services
from smevoucher.orders.models import Order
from smevoucher.providers.factories import approved_provider
from smevoucher.redemption import factories as redemption
from smevoucher.vouchers.factories import approved_enterprise, claim, open_batch

pytestmark = pytest.mark.django_db


def shown(response) -> int:
    """How many rows the list says it has (the page's paginator or the API's count)."""
    if response.get("Content-Type", "").startswith("application/json"):
        return response.json()["count"]
    return response.context["page"].paginator.count


def assert_constant(cases, grow, django_assert_max_num_queries, *, bound: int = 30):
    """cases: (client, url); grow(): makes more rows. The second round may not cost more queries than the first."""
    grow()
    first = {}
    for client, url in cases:
        client.get(url)  # warm the session, permission and site caches
        with django_assert_max_num_queries(bound) as counted:
            response = client.get(url)
        assert response.status_code == 200, url
        first[url, id(client)] = (len(counted.captured_queries), shown(response))
    grow()
    grow()
    for client, url in cases:
        queries, rows = first[url, id(client)]
        with django_assert_max_num_queries(queries, info=url):
            response = client.get(url)
        assert shown(response) > rows or "q=" in url or "status=" in url or "page=" in url, url


ORDER_URLS = ["/orders/", "/orders/?page=last", "/api/v1/orders/", "/api/v1/orders/?page=last"]


def test_order_lists_of_every_role(django_assert_max_num_queries):
    w = orders.world()
    roles = [w.enterprise_user, w.provider_user, w.unit, province_user()]
    cases = [(logged_in_client(user), url) for user in roles for url in ORDER_URLS]
    unit = cases[8][0]
    cases += [(unit, "/orders/?status=placed"), (unit, "/orders/?q=测试"), (unit, "/orders/?q=D00000001")]
    assert_constant(cases, lambda: orders.place(w), django_assert_max_num_queries)


def test_refund_queue(django_assert_max_num_queries):
    w = orders.world()

    def grow():
        order = orders.advance(w, orders.place(w), Order.Status.PAYMENT_CONFIRMED)
        order_services.refund_request(actor=w.provider_user, order_id=order.pk, reason="重复付款")

    unit = logged_in_client(w.unit)
    cases = [
        (unit, "/orders/refunds/"),
        (unit, "/orders/refunds/?status=requested"),
        (unit, "/api/v1/refund-requests/"),
    ]
    assert_constant(cases, grow, django_assert_max_num_queries)


def test_redemption_lists(django_assert_max_num_queries):
    w = orders.world()
    provider, unit = logged_in_client(w.provider_user), logged_in_client(w.unit)
    cases = [(c, url) for c in (provider, unit) for url in ("/redemption/", "/api/v1/redemptions/")]
    assert_constant(
        cases, lambda: redemption.submitted(w, redemption.confirmed_payments(w, 1)), django_assert_max_num_queries
    )


def test_batch_claims(django_assert_max_num_queries):
    batch = open_batch()
    unit = logged_in_client(city_unit_user("440100"))
    cases = [(unit, f"/vouchers/batches/{batch.pk}/"), (unit, f"/api/v1/batches/{batch.pk}/claims/")]
    assert_constant(cases, lambda: claim(approved_enterprise(), batch, 1_000_00), django_assert_max_num_queries)


def test_notifications(django_assert_max_num_queries):
    user = enterprise_user(approved_enterprise())
    c = logged_in_client(user)
    urls = ["/notifications/", "/notifications/?status=unread", "/notifications/?q=订单", "/api/v1/notifications/"]

    def grow():
        notices.notify([user], event="orders.order_confirmed", title="订单已确认")

    assert_constant([(c, url) for url in urls], grow, django_assert_max_num_queries)


def test_documents(django_assert_max_num_queries):
    w = orders.world()
    c = logged_in_client(w.provider_user)
    assert_constant(
        [(c, "/documents/")], lambda: orders.material(w.provider_user, "contract"), django_assert_max_num_queries
    )


def test_products_and_catalogue(django_assert_max_num_queries):
    provider = approved_provider()
    enterprise, province = logged_in_client(enterprise_user(approved_enterprise())), logged_in_client(province_user())
    mine = logged_in_client(provider.organisation.users.order_by("pk").first())
    cases = [(mine, "/products/"), (province, "/api/v1/products/"), (enterprise, "/catalogue/")]
    cases += [(enterprise, "/api/v1/catalogue/")]
    assert_constant(cases, lambda: published_product(provider), django_assert_max_num_queries)


def test_provider_and_enterprise_endpoints(django_assert_max_num_queries):
    province = logged_in_client(province_user())
    cases = [(province, "/api/v1/providers/"), (province, "/api/v1/enterprises/"), (province, "/enterprises/?q=有限")]

    def grow():
        approved_provider()
        sign_up_enterprise()

    assert_constant(cases, grow, django_assert_max_num_queries)


def test_notice_lists(django_assert_max_num_queries):
    province_unit = province_user()
    c = logged_in_client(province_unit)
    cases = [(c, "/notices/"), (c, "/notices/manage/"), (c, "/api/v1/notices/")]

    def grow():
        notices.notice_publish(actor=province_unit, category="policy", title="政策通知", body="正文")

    assert_constant(cases, grow, django_assert_max_num_queries)


def test_risk_flags(django_assert_max_num_queries):
    from smevoucher.core import clock
    from smevoucher.integrity.models import RiskFlag

    w = orders.world()

    def grow():
        order = orders.place(w)
        flag = RiskFlag.objects.create(
            kind="split_orders",
            city_id=order.batch.city_id,
            provider=order.provider,
            enterprise=order.enterprise,
            explanation="拆单",
            fingerprint=f"split_orders:{order.pk}",
            found_at=clock.now(),
            updated_at=clock.now(),
        )
        flag.orders.add(order)

    unit, province = logged_in_client(w.unit), logged_in_client(province_user())
    urls = ["/integrity/", "/integrity/?status=open", "/api/v1/risk-flags/", "/api/v1/risk-flags/?page=last"]
    cases = [(client, url) for client in (unit, province) for url in urls]
    cases += [(unit, "/api/v1/risk-flags/?q=FX1"), (province, "/integrity/?q=测试")]
    assert_constant(cases, grow, django_assert_max_num_queries)


def test_the_count_stops_at_the_pages_offered():
    from smevoucher.core.lists import BoundedPaginator
    from smevoucher.notices.models import Notification

    user = province_user()
    Notification.objects.bulk_create(Notification(user=user, event="e", title=f"t{i}") for i in range(7))
    rows = Notification.objects.filter(user=user)
    bounded = BoundedPaginator(rows, 2, max_pages=3)
    assert (bounded.count, bounded.num_pages, bounded.more) == (6, 3, True)
    assert len(bounded.page(3)) == 2 and not bounded.page(3).has_next()  # the rest: narrow the query
    exact = BoundedPaginator(rows, 2, max_pages=4)
    assert (exact.count, exact.num_pages, exact.more) == (7, 4, False)


def test_a_first_page_that_is_not_full_is_not_counted(django_assert_num_queries):
    from smevoucher.core.lists import BoundedPaginator
    from smevoucher.notices.models import Notification

    user = province_user()
    Notification.objects.bulk_create(Notification(user=user, event="e", title=f"t{i}") for i in range(3))
    rows = Notification.objects.filter(user=user).order_by("pk")
    with django_assert_num_queries(1):  # the page's rows only: they are all there are
        page = BoundedPaginator(rows, 5).page("1")
        assert (len(page), page.paginator.count, page.has_next(), page.paginator.more) == (3, 3, False, False)
    with django_assert_num_queries(2):  # a full first page: the rows, then the count
        page = BoundedPaginator(rows, 2).page(1)
        assert [n.title for n in page] == ["t0", "t1"]
        assert (page.paginator.count, page.has_next()) == (3, True)
    empty = BoundedPaginator(rows.none(), 5).page(1)
    assert (len(empty), empty.paginator.count, empty.paginator.num_pages) == (0, 0, 1)


def test_a_long_list_says_more_and_offers_the_pages_it_counted():
    from smevoucher.core.lists import MAX_PAGES
    from smevoucher.notices.models import Notification

    user = province_user()
    Notification.objects.bulk_create(Notification(user=user, event="e", title="t") for _ in range(50 * MAX_PAGES + 1))
    c = logged_in_client(user)
    data = c.get("/api/v1/notifications/", {"page": "last"}).json()
    assert (data["count"], data["more"], data["next"]) == (50 * MAX_PAGES, True, None)
    assert c.get("/api/v1/notifications/", {"unread": "1"}).json()["more"] is True
    html = c.get("/notifications/").content.decode()
    assert f"超过 {30 * MAX_PAGES} 条" in html


@pytest.mark.parametrize("search_ids", [5000, 0], ids=["by-related-ids", "by-join"])
def test_a_search_through_a_relation_finds_the_same_rows_either_way(search_ids, monkeypatch):
    """Few related matches: the list compares its key with theirs; very many: the plain join. Same rows."""
    from urllib.parse import urlencode

    from django.http import QueryDict

    from smevoucher.core import lists

    monkeypatch.setattr(lists, "SEARCH_IDS", search_ids)
    first, second = orders.world(), orders.world()
    mine, theirs = orders.place(first), orders.place(second)
    search = ("product_name", "enterprise__organisation__name")

    def found(text):
        form = lists.ListFilterForm(QueryDict(urlencode({"q": text})))
        return set(form.apply(Order.objects.all(), search=search))

    assert found(first.enterprise.organisation.name) == {mine}
    assert found(second.enterprise.organisation.name) == {theirs}
    assert found(mine.product_name) == {mine}
    assert found(mine.product_name[:4]) == {mine, theirs}  # the factory's products share the start of their name
    assert found("不存在的企业") == set()


@pytest.mark.postgres
@pytest.mark.django_db(databases=["default", "replica"])
def test_every_connection_prices_random_reads_for_ssd():
    """With PostgreSQL's default (4) a searched order list's bounded count walked a million rows where a bitmap of
    its indexes answers in milliseconds: settings give every connection 1.1."""
    from django.db import connections

    for alias in ("default", "replica"):
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            assert float(cursor.fetchone()[0]) == 1.1
