"""Sanctions (manual 三, issue 17): a unit suspends a provider for a period with a reason; while suspended it
cannot confirm orders or receive vouchers, its products leave the catalogue, its open orders' enterprises are told
and may cancel (issue 15.3); reinstatement, and the automatic end the day after `until`."""

from datetime import timedelta

import pytest
import time_machine
from django.http import Http404

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.catalogue import selectors as catalogue
from smevoucher.core import clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.notices.models import Notification
from smevoucher.orders import factories
from smevoucher.orders import services as orders
from smevoucher.orders.models import Order
from smevoucher.providers import selectors, services
from smevoucher.providers.models import Provider, Suspension

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def w(db):
    return factories.world()


def suspend(w, days: int = 30, **kw):
    return services.provider_suspend(
        actor=province_user(), provider_id=w.provider.pk, reason="虚假服务", until=clock.today() + timedelta(days=days)
    )


def fresh(provider) -> Provider:
    return Provider.objects.select_related("entry").get(pk=provider.pk)


def test_a_suspended_provider_cannot_serve_or_receive_vouchers_and_leaves_the_catalogue(w):
    assert catalogue.catalogue_for(w.enterprise_user).filter(pk=w.product.pk).exists()
    suspend(w)
    provider = fresh(w.provider)
    assert not selectors.may_serve(provider, w.enterprise.city_id)
    assert not selectors.may_receive_vouchers(provider)
    assert not catalogue.catalogue_for(w.enterprise_user).filter(pk=w.product.pk).exists()
    assert not catalogue.catalogue_for(None).filter(pk=w.product.pk).exists()


def test_a_suspended_provider_cannot_confirm_an_order_or_a_payment(w):
    placed = factories.place(w)
    paying = factories.advance(w, factories.place(w), S.PAYMENT_SUBMITTED)
    suspend(w)
    with pytest.raises(Conflict) as refused:
        orders.order_confirm(actor=w.provider_user, order_id=placed.pk)
    assert refused.value.code == "provider_not_eligible"
    with pytest.raises(Conflict):
        orders.payment_confirm(actor=w.provider_user, order_id=paying.pk)
    assert Order.objects.get(pk=placed.pk).status == S.PLACED


def test_the_suspension_is_audited_and_its_provider_told(w):
    suspension = suspend(w, days=10)
    event = AuditEvent.objects.get(action="provider.suspended")
    assert event.reason == "虚假服务" and event.after["suspended_until"] == suspension.until.isoformat()
    assert Notification.objects.filter(user=w.provider_user, event="provider.suspended").exists()
    assert fresh(w.provider).suspended_until == suspension.until


def test_the_enterprises_of_open_orders_are_told_after_commit(w, django_capture_on_commit_callbacks):
    factories.advance(w, factories.place(w), S.CONTRACT_CONFIRMED)
    factories.advance(w, factories.place(w, expected_fen=500_00), S.PAYMENT_CONFIRMED)  # done: not told
    with django_capture_on_commit_callbacks(execute=True):
        suspend(w)
    told = Notification.objects.filter(user=w.enterprise_user, event="order.provider_suspended")
    assert told.count() == 1


def test_the_suspension_ends_by_itself_the_day_after_until(w):
    suspension = suspend(w, days=3)
    end = clock.now() + timedelta(days=4)
    with time_machine.travel(end.replace(hour=0, minute=0, second=1), tick=False):
        assert selectors.may_receive_vouchers(fresh(w.provider))
        assert catalogue.catalogue_for(w.enterprise_user).filter(pk=w.product.pk).exists()
        again = suspend(w, days=5)  # a new suspension closes the lapsed one in the record
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None and again.lifted_at is None


def test_reinstating_ends_the_suspension_and_keeps_the_record(w):
    suspend(w)
    unit = province_user()
    services.provider_reinstate(actor=unit, provider_id=w.provider.pk, reason="已整改")
    services.provider_reinstate(actor=unit, provider_id=w.provider.pk)  # a double click: quiet
    provider = fresh(w.provider)
    assert provider.suspended_until is None and selectors.may_receive_vouchers(provider)
    record = Suspension.objects.get(provider=provider)
    assert record.lifted_at and record.lift_reason == "已整改"
    assert AuditEvent.objects.filter(action="provider.reinstated").count() == 1


def test_suspending_twice_is_refused(w):
    suspend(w)
    with pytest.raises(Conflict) as refused:
        suspend(w, days=60)
    assert refused.value.code == "already_suspended"


def test_a_suspension_needs_a_reason_and_a_day_from_today(w):
    unit = province_user()
    with pytest.raises(ValidationFailed) as no_reason:
        services.provider_suspend(actor=unit, provider_id=w.provider.pk, reason=" ", until=clock.today())
    assert "reason" in no_reason.value.fields
    with pytest.raises(ValidationFailed) as past:
        services.provider_suspend(
            actor=unit, provider_id=w.provider.pk, reason="x", until=clock.today() - timedelta(days=1)
        )
    assert "until" in past.value.fields


def test_only_the_reviewing_unit_or_the_province_may_suspend(w):
    # A provincial platform is reviewed by the province (R4): a city unit may not suspend it.
    with pytest.raises(Http404):
        services.provider_suspend(actor=city_unit_user(), provider_id=w.provider.pk, reason="x", until=clock.today())
    with pytest.raises(Http404):
        services.provider_suspend(actor=w.enterprise_user, provider_id=w.provider.pk, reason="x", until=clock.today())


def test_a_city_unit_suspends_a_municipal_provider_it_reviews(db):
    w = factories.world(level="municipal")
    services.provider_suspend(actor=city_unit_user(), provider_id=w.provider.pk, reason="x", until=clock.today())
    assert selectors.is_suspended(fresh(w.provider))


def test_api_suspend_and_reinstate(w):
    client = logged_in_client(province_user())
    until = (clock.today() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/api/v1/providers/{w.provider.pk}/suspend/",
        {"reason": "套现", "until": until},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["until"] == until
    assert client.get(f"/api/v1/providers/{w.provider.pk}/").json()["may_receive_vouchers"] is False
    listed = client.get("/api/v1/provider-suspensions/").json()
    assert [row["provider"] for row in listed["results"]] == [w.provider.pk]
    response = client.post(f"/api/v1/providers/{w.provider.pk}/reinstate/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["suspended_until"] is None


def test_api_suspend_refuses_bad_input_and_strangers(w):
    client = logged_in_client(province_user())
    url = f"/api/v1/providers/{w.provider.pk}/suspend/"
    response = client.post(url, {"reason": "", "until": "2020-01-01"}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["fields"]) >= {"reason"}
    response = client.post(url, {"reason": "x", "until": "tomorrow"}, content_type="application/json")
    assert response.status_code == 400 and "until" in response.json()["fields"]
    stranger = logged_in_client(w.enterprise_user)
    assert (
        stranger.post(
            url, {"reason": "x", "until": clock.today().isoformat()}, content_type="application/json"
        ).status_code
        == 404
    )


def test_the_provider_page_shows_the_violations_record(w):
    suspend(w)
    page = logged_in_client(province_user()).get(f"/providers/{w.provider.pk}/").content.decode()
    assert "虚假服务" in page and 'data-testid="suspended-banner"' in page
    own = logged_in_client(w.provider_user).get("/providers/mine/").content.decode()
    assert "虚假服务" in own
    assert "虚假服务" in logged_in_client(province_user()).get("/providers/suspensions/").content.decode()
