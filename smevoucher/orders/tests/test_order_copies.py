"""Issue 16: each order carries its parties' current names and its batch's city, so the order lists search, show
and filter their own columns. The names follow a rename of the enterprise or the provider in the transaction that
renames it."""

from datetime import timedelta
from importlib import import_module

import django.apps
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from smevoucher.accounts.factories import city, city_unit_user, logged_in_client, province_user
from smevoucher.core import clock
from smevoucher.enterprises import services as enterprise_services
from smevoucher.enterprises.factories import enterprise_user, licence_image
from smevoucher.orders import factories, selectors
from smevoucher.orders.models import Order
from smevoucher.providers import services as provider_services
from smevoucher.providers.factories import letter_pdf, provider_user_of, reviewer_for
from smevoucher.vouchers.factories import approved_enterprise

pytestmark = pytest.mark.django_db


def names(order) -> tuple[str, str]:
    order.refresh_from_db()
    return order.enterprise_name, order.provider_name


def search(user, text: str) -> set[int]:
    page = logged_in_client(user).get(reverse("orders:list"), {"q": text})
    assert page.status_code == 200
    return {order.pk for order in page.context["page"]}


def test_an_order_is_placed_with_both_parties_current_names(w):
    order = factories.place(w)
    assert names(order) == (w.enterprise.organisation.name, w.provider.organisation.name)


def test_an_order_is_placed_in_its_batchs_city_and_only_that_citys_unit_lists_it(w):
    order = factories.place(w)
    assert order.city_id == w.batch.city_id
    assert order.pk in {o.pk for o in selectors.orders_visible_to(city_unit_user("440100"))}
    assert not selectors.orders_visible_to(city_unit_user("440300")).filter(pk=order.pk).exists()


def test_an_applied_enterprise_rename_renames_its_orders_and_only_them(w):
    order = factories.place(w)
    other = approved_enterprise()
    other_order = Order.objects.create(
        **{f.name: getattr(order, f.name) for f in Order._meta.concrete_fields if f.name not in ("id", "enterprise")},
        enterprise=other,
    )
    old = w.enterprise.organisation.name
    change = enterprise_services.enterprise_change_submit(
        actor=enterprise_user(w.enterprise),
        enterprise_id=w.enterprise.pk,
        new_name="广州新名称科技有限公司",
        licence_files=[("新营业执照.jpg", licence_image())],
    )
    assert names(order)[0] == old  # asked for, not yet applied
    enterprise_services.enterprise_change_apply(actor=city_unit_user(), request_id=change.pk)

    assert names(order) == ("广州新名称科技有限公司", w.provider.organisation.name)
    assert names(other_order)[0] == old  # the copied row keeps what it was given: only the renamed party's orders
    province = province_user()
    assert search(province, "新名称科技") == {order.pk}
    assert order.pk not in search(province, old)
    page = logged_in_client(province).get(reverse("orders:list"), {"q": "新名称科技"})
    assert "广州新名称科技有限公司" in page.content.decode()  # the list shows the order's copy


def test_an_applied_provider_rename_renames_its_orders(w):
    order = factories.place(w)
    change = provider_services.change_request_submit(
        actor=provider_user_of(w.provider),
        provider_id=w.provider.pk,
        proof_files=[("营业执照副本.pdf", letter_pdf())],
        new_name="广东更名后服务有限公司",
    )
    provider_services.change_request_apply(actor=reviewer_for(w.provider), request_id=change.pk)
    assert names(order) == (w.enterprise.organisation.name, "广东更名后服务有限公司")
    assert search(w.enterprise_user, "更名后服务") == {order.pk}


def test_saving_an_organisation_without_a_new_name_writes_no_order(w):
    order = factories.place(w)
    organisation = w.provider.organisation
    organisation.phone = "020-87654321"
    with CaptureQueriesContext(connection) as queries:
        organisation.save(update_fields=["phone"])
        organisation.save(update_fields=["name", "email", "phone"])  # the name saved as it was
    assert not [q for q in queries if "orders_order" in q["sql"]]
    assert names(order)[1] == organisation.name


def test_the_migrations_copy_the_names_and_the_city_of_orders_placed_before_them(w):
    order = factories.place(w)
    Order.objects.update(enterprise_name="", provider_name="", city=city("440300"))
    import_module("smevoucher.orders.migrations.0008_party_names").copy_names(django.apps.apps, None)
    import_module("smevoucher.orders.migrations.0009_order_city").copy_cities(django.apps.apps, None)
    assert names(order) == (w.enterprise.organisation.name, w.provider.organisation.name)
    assert order.city_id == w.batch.city_id


def test_the_order_search_finds_each_name_in_any_letter_case_and_never_across_two(w):
    order = factories.place(w)
    Order.objects.filter(pk=order.pk).update(
        product_name="Audit审计", enterprise_name="Zeta企业", provider_name="Omega机构"
    )
    province = province_user()
    for text in ("audit审", "AUDIT审计", "zeta企", "OMEGA机", "omega机构", order.number.lower()):
        assert search(province, text) == {order.pk}, text
    for text in ("审计Zeta", "企业omega", "100%", "_"):  # the end of one name and the start of the next; wildcards
        assert search(province, text) == set(), text


def test_the_order_api_searches_and_filters_as_the_page_and_refuses_bad_filters(w):
    order, other = factories.place(w), factories.place(w)
    Order.objects.filter(pk=order.pk).update(product_name="Audit审计")
    api = logged_in_client(w.enterprise_user)
    listed = api.get("/api/v1/orders/", {"q": "audit"}).json()
    assert [row["id"] for row in listed["results"]] == [order.pk] == sorted(search(w.enterprise_user, "audit"))
    assert {row["id"] for row in api.get("/api/v1/orders/", {"q": other.number}).json()["results"]} == {other.pk}
    assert api.get("/api/v1/orders/", {"status": "placed"}).json()["count"] == 2
    for params, field in (({"status": "不存在"}, "status"), ({"q": "长" * 101}, "q")):
        response = api.get("/api/v1/orders/", params)
        assert response.status_code == 400 and field in response.json()["fields"], params


def test_the_order_api_takes_the_workbench_cards_filters_as_the_page(w):
    from smevoucher.orders import services
    from smevoucher.vouchers.models import Batch

    refunded, expiring, _other = factories.place(w), factories.place(w), factories.place(w)  # unfiltered: all 3
    factories.advance(w, refunded, Order.Status.PAYMENT_CONFIRMED)
    services.refund_request(actor=w.provider_user, order_id=refunded.pk, reason="重复付款")
    factories.advance(w, expiring, Order.Status.CONTRACT_CONFIRMED)
    Batch.objects.filter(pk=w.batch.pk).update(validity_end=clock.today() + timedelta(days=10))
    for params, expected in (({"refund": "requested"}, {refunded.pk}), ({"expiring": "1"}, {expiring.pk})):
        for user in (w.provider_user, w.unit):
            api = {row["id"] for row in logged_in_client(user).get("/api/v1/orders/", params).json()["results"]}
            page = logged_in_client(user).get(reverse("orders:list"), params).context["page"]
            assert api == {order.pk for order in page} == expected, (params, user)
