"""The navigation (issue 13): at most seven top-level entries per role, every page a role had before still reachable,
badges from the workbench cards, the current page marked, and entries whose page does not exist yet skipped."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from smevoucher.accounts import navigation
from smevoucher.accounts.factories import UserFactory, city_unit_user, login_verified, provider_user
from smevoucher.accounts.models import Organisation
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise

pytestmark = pytest.mark.django_db


def _request(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    user.is_verified = lambda: True
    return request


def _urls(groups):
    return {item["url"] for group in groups for item in group["items"]}


def test_every_role_has_at_most_seven_entries_and_keeps_its_pages():
    province = UserFactory(organisation=Organisation.objects.create(kind="province_unit", name="省"))
    users = {
        "enterprise": enterprise_user(sign_up_enterprise()),
        "provider": provider_user(),
        "city": city_unit_user(),
        "province": province,
    }
    must_reach = {
        "enterprise": ["vouchers:batch_list", "vouchers:wallet", "orders:list", "enterprises:home", "documents:list"],
        "provider": ["orders:list", "redemption:list", "catalogue:my_products", "providers:home", "documents:list"],
        "city": [
            "enterprises:unit_list",
            "providers:unit_list",
            "providers:change_request_list",
            "catalogue:review_queue",
            "directory:list",
            "notices:manage",
            "vouchers:batch_list",
            "orders:list",
            "vouchers:quota",
            "orders:refund_list",
            "orders:city_materials",
            "redemption:list",
            "notices:list",
            "core:flow",
            "notices:help",
            "catalogue:catalogue",
        ],
        "province": ["enterprises:unit_list", "directory:list", "vouchers:batch_list", "orders:list"],
    }
    for role, user in users.items():
        groups = navigation.build(_request(user))
        assert len(groups) <= navigation.MAX_TOP_LEVEL, role
        assert {reverse(name) for name in must_reach[role]} <= _urls(groups), role
    # The province does not open the cities' own decision pages.
    assert reverse("orders:refund_list") not in _urls(navigation.build(_request(province)))


def test_the_current_page_is_marked_in_its_group():
    groups = navigation.build(_request(city_unit_user(), "/orders/refunds/"))
    active = [(g["label"], i["url"]) for g in groups for i in g["items"] if i["active"]]
    assert [url for _label, url in active] == ["/orders/refunds/"]
    assert next(g for g in groups if g["active"])["items"][1]["url"] == "/orders/refunds/"


def test_an_entry_whose_page_does_not_exist_yet_is_skipped(monkeypatch):
    groups = list(navigation.BY_KIND["provider"])
    monkeypatch.setitem(navigation.BY_KIND, "provider", [*groups, ("未来", [("报表", "reporting:not_there_yet")])])
    built = navigation.build(_request(provider_user()))
    assert "未来" not in [g["label"] for g in built]


def test_badges_are_the_workbench_counts_and_visitors_see_the_public_menu(client):
    user = city_unit_user()
    login_verified(client, user)
    response = client.get(reverse("workbench:home"))
    cards = {card.code: card.count for card in response.context["cards"]}
    groups = response.context["nav_groups"]
    reviews = next(g for g in groups if reverse("enterprises:unit_list") in {i["url"] for i in g["items"]})
    assert reviews["badge"] == sum(
        cards[c] for c in ("enterprise_review", "provider_review", "change_review", "product_review")
    )
    client.logout()
    public = client.get(reverse("core:home")).context["nav_groups"]
    assert _urls(public) == {
        reverse(n) for n in ("core:home", "notices:list", "core:flow", "notices:help", "catalogue:catalogue")
    }


@pytest.mark.parametrize("unit", ["city", "province"])
def test_a_unit_tells_the_providers_change_requests_from_the_enterprises(unit):
    from django.utils import translation

    user = (
        city_unit_user()
        if unit == "city"
        else UserFactory(organisation=Organisation.objects.create(kind="province_unit", name="省"))
    )
    with translation.override("zh-hans"):
        entries = {str(i["label"]): i["url"] for g in navigation.build(_request(user)) for i in g["items"]}
    assert entries["服务机构变更申请"] == reverse("providers:change_request_list")
    assert entries["企业变更申请"] == reverse("enterprises:change_request_list")
    assert "变更申请" not in entries
