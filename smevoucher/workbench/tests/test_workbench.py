"""The workbench (issue 13): every role's stable card codes, each count equal to the rows of the list it links to,
the nearest deadline, a constant query count, and the navigation's badges from the same cards."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from smevoucher.accounts.factories import login_verified
from smevoucher.core import access, clock
from smevoucher.notices.models import Notice
from smevoucher.orders.models import Order
from smevoucher.orders.services import order_confirm
from smevoucher.providers.factories import approved_provider, provider_user_of
from smevoucher.workbench.cards import CODES, cards_for

pytestmark = pytest.mark.django_db

EXPECTED = {
    "enterprise": ["claim_open", "order_due", "contract_due", "payment_due", "payment_rejected", "refund_pending"],
    "provider": [
        "letter_to_renew",
        "order_to_confirm",
        "contract_to_confirm",
        "payment_to_confirm",
        "vouchers_expiring",
        "redemption_draft",
        "redemption_returned",
    ],
    "unit": [
        "enterprise_review",
        "provider_review",
        "letter_review",
        "change_review",
        "enterprise_change_review",
        "product_review",
        "refund_review",
        "redemption_review",
        "results_to_publish",
        "batch_to_allocate",
    ],
}
DEMO_USERS = ["ent_gz1", "ent_gz2", "prov_gz1", "prov_prov1", "unit_guangzhou", "unit_province", "unit_foshan"]


def _rows_of(response) -> int:
    """The number of rows the list page shows for its filters (all pages)."""
    context = response.context
    if "wallets" in context:
        return len(context["wallets"])
    if "to_renew" in context:  # the provider's own commitment letter: one or none
        return int(context["to_renew"])
    return context["page"].paginator.count


def test_each_role_gets_its_stable_codes_and_each_count_is_the_rows_of_its_list(client, demo_users):
    demo = demo_users
    for name, role in [("ent_gz2", "enterprise"), ("prov_gz1", "provider"), ("unit_guangzhou", "unit")]:
        login_verified(client, demo[name])
        cards = client.get("/api/v1/workbench/").json()
        assert sorted(c["code"] for c in cards) == sorted(EXPECTED[role]), name
        assert all(set(c) == {"code", "count", "more", "due", "url"} for c in cards)
    login_verified(client, demo["unit_province"])
    assert sorted(c["code"] for c in client.get("/api/v1/workbench/").json()) == sorted(EXPECTED["unit"])
    assert sorted(CODES["province_unit"]) == sorted(EXPECTED["unit"])

    seen_nonzero = set()
    for name in DEMO_USERS:
        login_verified(client, demo[name])
        for card in client.get("/api/v1/workbench/").json():
            if card["url"] is None:
                assert card["count"] == 0, (name, card)  # the province has no list of the cities' own decisions
                continue
            response = client.get(card["url"])
            assert response.status_code == 200, (name, card)
            assert _rows_of(response) == card["count"], (name, card)
            if card["count"]:
                seen_nonzero.add(card["code"])
    # The demo has something to do for most cards, so the comparison above is not 0 == 0 everywhere.
    assert {
        "claim_open",
        "order_due",
        "contract_due",
        "payment_due",
        "payment_rejected",
        "refund_pending",
        "order_to_confirm",
        "contract_to_confirm",
        "payment_to_confirm",
        "enterprise_review",
        "provider_review",
        "product_review",
        "refund_review",
        "redemption_review",
    } <= seen_nonzero


def test_the_page_shows_deadlines_summary_gauge_and_matching_badges(client, demo_users):
    demo = demo_users
    cards = {c.code: c for c in cards_for(demo["ent_gz2"])}
    mine = Order.objects.filter(enterprise__organisation__users=demo["ent_gz2"])
    waiting = mine.filter(status__in=["confirmed", "contract_returned"])
    assert cards["contract_due"].count == waiting.count() > 0
    assert cards["contract_due"].due == min(o.contract_due for o in waiting)
    paying = mine.filter(status="completed").first()
    assert cards["payment_due"].due == paying.batch.expires_at
    assert cards["refund_pending"].due is None

    provider = demo["prov_gz1"]
    before = {c.code: c.count for c in cards_for(provider)}
    order = Order.objects.filter(provider__organisation__users=provider, status="placed").first()
    order_confirm(actor=provider, order_id=order.pk)
    after = {c.code: c.count for c in cards_for(provider)}
    assert after["order_to_confirm"] == before["order_to_confirm"] - 1

    login_verified(client, demo["unit_guangzhou"])
    response = client.get(reverse("workbench:home"))
    html = response.content.decode()
    cards = response.context["cards"]
    for card in cards:
        assert f'data-testid="card-{card.code}"' in html
        if card.url:
            assert card.url.replace("&", "&amp;") in html
    enterprises = reverse("enterprises:unit_list")
    reviews = next(g for g in response.context["nav_groups"] if any(i["url"] == enterprises for i in g["items"]))
    by_code = {c.code: c.count for c in cards}
    assert reviews["badge"] == sum(
        by_code[c]
        for c in (
            "enterprise_review",
            "provider_review",
            "letter_review",
            "change_review",
            "enterprise_change_review",
            "product_review",
        )
    )

    login_verified(client, demo["ent_gz2"])
    response = client.get(reverse("workbench:home"))
    summary = response.context["summary"]
    dues = [c.due for c in response.context["cards"] if c.count and c.due]
    assert summary["next_due"] == min(dues)
    assert summary["quota_left_fen"] >= 0
    assert 'data-testid="summary-wallet"' in response.content.decode()

    login_verified(client, demo["prov_gz1"])
    response = client.get(reverse("workbench:home"))
    assert response.context["gauge"]
    assert 'data-testid="cap-gauge"' in response.content.decode()

    # The province's page leaves out the cards of the cities' own decisions (they stay in the API, at 0).
    login_verified(client, demo["unit_province"])
    html = client.get(reverse("workbench:home")).content.decode()
    assert 'data-testid="card-enterprise_review"' in html and 'data-testid="card-refund_review"' not in html

    # The demo's pinned notice is about the demo's year; the help centre names each unit's contact person.
    pinned = Notice.objects.get(pinned=True)
    assert str(clock.today().year) in pinned.title and "2020年" not in pinned.title
    assert "联系人：" in client.get(reverse("notices:help")).content.decode()


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/workbench/").status_code in (401, 403)
    assert client.get(reverse("workbench:home")).status_code == 302


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_data(client, demo_users, django_assert_max_num_queries):
    demo = demo_users
    """Cards over one selector are one aggregate query; more rows cost no more queries."""
    login_verified(client, demo["unit_guangzhou"])
    before = _queries(client, reverse("workbench:home"))
    with django_assert_max_num_queries(30):
        client.get(reverse("workbench:home"))
    order = Order.objects.filter(status="placed").first()
    for _i in range(5):  # more orders, claims and a second waiting batch change nothing in the query count
        order.pk = None
        order.placed_at = clock.now() - timedelta(minutes=_i)
        order.save()
    assert _queries(client, reverse("workbench:home")) == before
    login_verified(client, demo["prov_gz1"])
    with django_assert_max_num_queries(30):
        client.get(reverse("workbench:home"))


def test_fragments_without_the_menu_do_not_count_the_cards(client):
    """The cap gauge refreshes every 30 seconds through htmx: it must not pay for the navigation's badges."""
    login_verified(client, provider_user_of(approved_provider()))
    with mock.patch("smevoucher.workbench.cards.cards_for", side_effect=AssertionError("counted")):
        assert client.get(reverse("orders:cap_gauge")).status_code == 200


def test_counts_stop_at_the_limit_and_say_more(client, demo_users):
    """Issue 16: a card counts at most COUNT_LIMIT rows (then "99+"); below the limit it is exact, and the nearest
    deadline is the same whatever the limit."""
    user = max((demo_users[name] for name in DEMO_USERS), key=lambda u: max(c.count for c in cards_for(u) if c.url))
    exact = {c.code: c for c in cards_for(user)}
    code = max((c for c in exact if exact[c].url), key=lambda c: exact[c].count)
    assert exact[code].count >= 2 and not exact[code].more
    with mock.patch("smevoucher.workbench.cards.COUNT_LIMIT", 2):
        bounded = {c.code: c for c in cards_for(user)}
        login_verified(client, user)
        api = {c["code"]: c for c in client.get("/api/v1/workbench/").json()}
        html = client.get(reverse("workbench:home")).content.decode()
    for card in bounded.values():
        assert card.count == min(exact[card.code].count, 2), card.code
        assert card.more == (exact[card.code].count >= 2)
        assert card.due == exact[card.code].due, card.code
    assert bounded[code].shown == "1+" and api[code]["count"] == 2 and api[code]["more"] is True
    assert 'data-testid="card-count">1+<' in html


def test_all_of_a_units_cards_cost_one_query(django_assert_num_queries):
    """Every page's navigation shows the badges: one query for all the cards, however many sources they count."""
    from smevoucher.accounts.factories import city_unit_user

    unit = city_unit_user("440100")
    cards_for(unit)  # the permission cache
    with django_assert_num_queries(1):
        cards = cards_for(unit)
    assert {card.code for card in cards} == set(CODES[access.CITY_UNIT]) and len(cards) > 5
