"""The audit trail: readable labels, the unit's search scoped to its city, an object's history for whoever may see
the object, and the chain's last verification."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from rest_framework.test import APIClient

from smevoucher.accounts.factories import login_verified
from smevoucher.core.models import AuditCheck, AuditEvent
from smevoucher.reporting import audit_trail

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(user, **params):
    return [e["id"] for e in api(user).get("/api/v1/audit/", params).json()["results"]]


def order_events(order):
    return set(
        AuditEvent.objects.filter(object_type="orders.order", object_id=str(order.pk)).values_list("pk", flat=True)
    )


def test_action_codes_read_as_chinese_and_unknown_ones_as_themselves():
    with translation.override("zh-hans"):
        assert audit_trail.action_label("order.confirmed") == "订单已确认"
        assert audit_trail.action_label("voucher.reclaimed_r9") == "服务券已收回：30日内未上传合同"
        assert audit_trail.action_label("something.new") == "something.new"
    with translation.override("en"):
        assert audit_trail.action_label("order.confirmed") == "Order confirmed"


def test_every_action_the_services_record_has_a_label(two):
    recorded = set(AuditEvent.objects.values_list("action", flat=True))
    assert recorded and recorded <= set(audit_trail.ACTION_LABELS)


def test_a_city_unit_searches_only_its_city_the_province_everything(two):
    sz_events, gz_events = order_events(two.sz_order), order_events(two.gz_orders[0])
    gz_seen = set(ids(two.gz.unit, object_type="orders.order"))
    assert gz_events <= gz_seen and not sz_events & gz_seen
    sz_seen = set(ids(two.sz.unit, object_type="orders.order"))
    assert sz_events <= sz_seen and not gz_events & sz_seen
    assert gz_events | sz_events <= set(ids(two.province, object_type="orders.order"))
    # the unit's own staff actions (a batch it created) are in its search; the other city's are not
    assert set(ids(two.gz.unit, action="batch.created")) == set(
        AuditEvent.objects.filter(action="batch.created", object_id=str(two.gz.batch.pk)).values_list("pk", flat=True)
    )


def test_a_city_sees_an_event_only_when_its_object_id_is_the_key_of_one_of_its_objects(two):
    """The city's search looks each event's object up by the key its `object_id` holds; text that is no key (or a
    number too long for one) matches nothing, on either database."""
    gz_order = two.gz_orders[0]
    written = {
        value: AuditEvent.objects.create(
            at=timezone.now(), action="order.placed", object_type="orders.order", object_id=value
        ).pk
        for value in (
            str(gz_order.pk),
            f"{gz_order.pk}abc",
            f" {gz_order.pk}",
            f"0{gz_order.pk}",
            "",
            "9" * 40,
            str(two.sz_order.pk),
        )
    }
    assert set(ids(two.gz.unit, action="order.placed")) & set(written.values()) == {written[str(gz_order.pk)]}
    assert set(ids(two.sz.unit, action="order.placed")) & set(written.values()) == {written[str(two.sz_order.pk)]}
    # An export reads the whole trail another way (the city's ids at once): the same events.
    for unit in (two.gz.unit, two.sz.unit):
        looked_up = audit_trail.events_visible_to(unit).values_list("pk", flat=True)
        assert set(looked_up) == set(audit_trail.events_visible_to(unit, every_row=True).values_list("pk", flat=True))


@pytest.mark.postgres
def test_a_citys_search_looks_up_the_object_of_each_event_it_reads(two):
    """Not a hash of every object the city may see (at a province's volume 48,000 orders of one city, read for each
    page of 50 events): one look-up per event the page reads. An export, reading every event, hashes them once."""
    from django.db import connection

    def plan(events):
        sql, params = events.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    page = plan(audit_trail.events_visible_to(two.gz.unit)[:50])
    assert "SubPlan" in page and "hashed SubPlan" not in page
    assert "hashed SubPlan" in plan(audit_trail.events_visible_to(two.gz.unit, every_row=True))


def test_filters_by_object_action_actor_and_dates(two):
    order = two.gz_orders[0]
    unit = two.gz.unit
    assert set(ids(unit, object_type="orders.order", object_id=order.pk)) == order_events(order)
    confirmed = ids(unit, action="order.confirmed")
    assert confirmed and all(AuditEvent.objects.get(pk=i).action == "order.confirmed" for i in confirmed)
    prefixed = ids(unit, action="redemption.")
    assert prefixed and all(AuditEvent.objects.get(pk=i).action.startswith("redemption.") for i in prefixed)
    by_provider = ids(unit, actor=two.gz.provider_user.username)
    assert by_provider and {AuditEvent.objects.get(pk=i).actor_id for i in by_provider} == {two.gz.provider_user.pk}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert ids(unit, since=tomorrow) == []
    assert ids(unit, until=tomorrow, object_type="orders.order")


def test_pages_follow_the_keyset_without_counting(two, django_assert_max_num_queries):
    unit = two.province
    first = api(unit).get("/api/v1/audit/").json()
    everything = list(AuditEvent.objects.order_by("-id").values_list("pk", flat=True))
    assert [e["id"] for e in first["results"]] == everything[:100]
    assert first["next_before"] == everything[99]
    rest = api(unit).get("/api/v1/audit/", {"before": first["next_before"]}).json()
    assert [e["id"] for e in rest["results"]] == everything[100:200]
    with django_assert_max_num_queries(3):
        events, _next = audit_trail.page_of(audit_trail.search_events(unit, audit_trail.Search()), size=50)
        [audit_trail.organisation_name(e) for e in events]


@pytest.mark.parametrize(
    "params", [{"since": "2026-02-30"}, {"object_id": "x1"}, {"before": "abc"}, {"actor": "a\x00b"}]
)
def test_bad_search_input_answers_400(two, params):
    answer = api(two.gz.unit).get("/api/v1/audit/", params)
    assert answer.status_code == 400 and set(answer.json()) == {"code", "message", "fields"}


def test_others_may_ask_only_for_the_history_of_what_they_see(two):
    order = two.gz_orders[0]
    params = {"object_type": "orders.order", "object_id": order.pk}
    assert set(ids(two.gz.enterprise_user, **params)) >= order_events(order)
    assert set(ids(two.gz.provider_user, **params)) >= order_events(order)
    seen_by_enterprise = api(two.gz.enterprise_user).get("/api/v1/audit/", params).json()["results"]
    confirmed = next(e for e in seen_by_enterprise if e["action"] == "order.confirmed")
    assert confirmed["actor"] == "" and confirmed["organisation"] == two.gz.provider.name
    assert api(two.sz.enterprise_user).get("/api/v1/audit/", params).status_code == 404
    assert api(two.gz.enterprise_user).get("/api/v1/audit/").status_code == 403


def history_url(object_type, pk):
    return f"/reports/audit/history/{object_type}/{pk}/"


def test_the_history_panel_shows_to_whoever_may_see_the_order_and_404_to_others(client, two):
    order = two.gz_orders[0]
    for user in (two.gz.enterprise_user, two.gz.provider_user, two.gz.unit, two.province):
        login_verified(client, user)
        page = client.get(history_url("orders.order", order.pk), HTTP_HX_REQUEST="true")
        assert page.status_code == 200, user
        text = page.content.decode()
        assert 'data-action="order.confirmed"' in text and "订单已确认" in text
        assert two.gz.provider.name in text  # which organisation acted
        shows_username = user in (two.gz.unit, two.province, two.gz.provider_user)
        assert (f"{two.gz.provider_user.username}（" in text) == shows_username  # not to the other party
    for user in (two.sz.unit, two.sz.enterprise_user):
        login_verified(client, user)
        assert client.get(history_url("orders.order", order.pk)).status_code == 404
    assert client.get(history_url("orders.order", "999999")).status_code == 404
    assert client.get(history_url("orders.order", "abc")).status_code == 404


def test_an_orders_history_includes_its_refund_request_and_the_reason(client, two):
    from smevoucher.orders import services

    services.refund_refuse(actor=two.gz.unit, refund_id=two.refund.pk, reason="材料不全")
    login_verified(client, two.gz.provider_user)
    text = client.get(history_url("orders.order", two.refund.order_id), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-action="order.refund_refused"' in text and "材料不全" in text


@pytest.mark.parametrize(
    "object_type, attribute",
    [
        ("catalogue.product", "product"),
        ("providers.provider", "provider"),
        ("enterprises.enterprise", "enterprise"),
        ("vouchers.batch", "batch"),
    ],
)
def test_the_history_follows_each_objects_own_visibility(client, two, object_type, attribute):
    obj = getattr(two.gz, attribute)
    owner = {"product": two.province, "provider": two.province, "enterprise": two.gz.unit, "batch": two.gz.unit}
    login_verified(client, owner[attribute])
    assert client.get(history_url(object_type, obj.pk)).status_code == 200
    login_verified(client, two.sz.enterprise_user)
    assert client.get(history_url(object_type, obj.pk)).status_code == 404


def test_a_redemption_applications_history_is_for_the_provider_and_the_issuing_city(client, two):
    url = history_url("redemption.application", two.application.pk)
    for user, expected in (
        (two.gz.provider_user, 200),
        (two.gz.unit, 200),
        (two.sz.unit, 404),
        (two.gz.enterprise_user, 404),
    ):
        login_verified(client, user)
        assert client.get(url).status_code == expected, user


def test_the_order_page_includes_the_history_panel(client, two):
    login_verified(client, two.gz.unit)
    page = client.get(f"/orders/{two.gz_orders[0].pk}/").content.decode()
    assert history_url("orders.order", two.gz_orders[0].pk) in page


def test_the_search_page_is_scoped_shows_labels_and_the_last_check(client, two):
    login_verified(client, two.gz.unit)
    page = client.get("/reports/audit/").content.decode()
    assert "尚未校验" in page
    call_command("verify_audit")
    page = client.get("/reports/audit/", {"object_type": "orders.order"}).content.decode()
    assert "完整无缺" in page and "订单已确认" in page
    assert f">{audit_trail.object_type_label('orders.order')} #{two.sz_order.pk}<" not in page
    login_verified(client, two.gz.enterprise_user)
    assert client.get("/reports/audit/").status_code == 403


def test_verify_audit_records_its_outcome_and_a_broken_chain_shows(two):
    call_command("verify_audit")
    check = AuditCheck.objects.get()
    assert check.intact and check.events == AuditEvent.objects.count() and check.source == "command"
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("id").first().pk).update(reason="篡改")
    with pytest.raises(CommandError):
        call_command("verify_audit")
    latest = audit_trail.last_check()
    assert not latest.intact and latest.problem_count == 1


def test_the_periodic_job_records_a_check(two):
    from smevoucher.core.tasks import verify_audit_log

    assert verify_audit_log() is True
    assert AuditCheck.objects.get().source == "schedule"


def test_the_audit_page_exports_its_search(client, two, django_capture_on_commit_callbacks):
    from smevoucher.reporting.models import ExportJob

    login_verified(client, two.gz.unit)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/reports/exports/audit/", {"object_type": "orders.order", "action": "order.confirmed", "format": "csv"}
        )
    job = ExportJob.objects.get()
    assert job.kind == "audit" and job.filters == {"object_type": "orders.order", "action": "order.confirmed"}
    assert job.row_count == len(ids(two.gz.unit, object_type="orders.order", action="order.confirmed"))


@pytest.mark.postgres
@pytest.mark.parametrize(
    "url",
    [
        "/reports/audit/history/orders.order%00/1/",
        "/reports/audit/history/a%00b/1/",
        "/reports/audit/history/orders.order/%EF%BC%91/",
        "/reports/audit/?actor=a%00b&since=%00",
        "/reports/audit/?object_id=%EF%BC%91%EF%BC%92",
        "/reports/audit/?before=99999999999999999999999",
    ],
)
def test_odd_input_never_answers_500(client, two, url):
    login_verified(client, two.province)
    assert client.get(url).status_code in (400, 404)
