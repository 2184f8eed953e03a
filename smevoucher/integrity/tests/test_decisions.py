"""Deciding flags: the city unit clears or confirms with a reason (audited); other cities do not see the flag; an
open flag holds up the redemption of its orders."""

import pytest
from django.urls import reverse

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.integrity import services
from smevoucher.integrity.models import RiskFlag
from smevoucher.notices.models import Notification
from smevoucher.orders import factories as orders
from smevoucher.redemption import factories as redemption
from smevoucher.redemption import services as redemption_services
from smevoucher.redemption.errors import ConfirmedRiskFlag, OpenRiskFlag, PaymentTaken
from smevoucher.redemption.selectors import redeemable_payments


@pytest.fixture
def w(db):
    return orders.world()


@pytest.fixture
def flag(w):
    """An open related-party flag on one confirmed payment's order (the provider's phone is the enterprise's)."""
    payment = redemption.confirmed_payments(w, 1)[0]
    order = payment.order
    enterprise = order.enterprise
    enterprise.phone_key = order.provider.phone_key = "13800000000"
    enterprise.save(update_fields=["phone_key"])
    order.provider.save(update_fields=["phone_key"])
    services.scan(kinds=["related_party"])
    return RiskFlag.objects.get(kind="related_party"), payment


def test_the_city_unit_confirms_with_a_reason_and_it_is_audited(w, flag):
    flag, _payment = flag
    services.flag_confirm(actor=w.unit, flag_id=flag.pk, reason="法人相同，已核实")
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.CONFIRMED and flag.decided_by == w.unit
    assert AuditEvent.objects.filter(action="integrity.flag_confirmed", object_id=str(flag.pk)).exists()


def test_a_decision_needs_a_reason(w, flag):
    flag, _payment = flag
    with pytest.raises(ValidationFailed):
        services.flag_clear(actor=w.unit, flag_id=flag.pk, reason=" ")


def test_an_open_flag_holds_up_redemption_until_it_is_cleared(w, flag):
    flag, payment = flag
    application = redemption.submitted(w, [payment])
    with pytest.raises(OpenRiskFlag):
        redemption_services.application_approve(actor=w.unit, application_id=application.pk)
    services.flag_clear(actor=w.unit, flag_id=flag.pk, reason="同一写字楼，不同公司")
    application = redemption_services.application_approve(actor=w.unit, application_id=application.pk)
    assert application.status == "approved"


def test_a_confirmed_breach_is_not_redeemed_and_enters_the_providers_record(w, flag):
    flag, payment = flag
    provider = payment.order.provider
    application = redemption.submitted(w, [payment])
    services.flag_confirm(actor=w.unit, flag_id=flag.pk, reason="法人相同，虚构服务")
    with pytest.raises(ConfirmedRiskFlag):
        redemption_services.application_approve(actor=w.unit, application_id=application.pk)
    # rejected, the provider cannot bundle the payment again
    redemption_services.application_reject(actor=w.unit, application_id=application.pk, reason="违规订单不予兑现")
    city_id = payment.order.batch.city_id
    assert not redeemable_payments(provider=provider, city_id=city_id).filter(pk=payment.pk).exists()
    with pytest.raises(PaymentTaken):
        redemption_services.application_create(actor=w.provider_user, city_id=city_id, payment_ids=[payment.pk])
    # the provider is told, and its violations record shows the breach with the unit's reason
    told = Notification.objects.filter(user=w.provider_user, event="integrity.flag_confirmed")
    assert told.count() == 1 and "虚构服务" in told.get().body
    services.flag_confirm(actor=w.unit, flag_id=flag.pk, reason="法人相同，虚构服务")  # a repeated click
    assert told.count() == 1
    page = logged_in_client(w.provider_user).get(reverse("providers:home")).content.decode()
    assert 'data-testid="breach"' in page and "虚构服务" in page and flag.number in page


def test_a_cleared_flag_leaves_no_record(w, flag):
    flag, payment = flag
    services.flag_clear(actor=w.unit, flag_id=flag.pk, reason="同一写字楼，不同公司")
    page = logged_in_client(w.provider_user).get(reverse("providers:home")).content.decode()
    assert 'data-testid="breach"' not in page
    city_id = payment.order.batch.city_id
    assert redeemable_payments(provider=payment.order.provider, city_id=city_id).filter(pk=payment.pk).exists()


def test_another_city_does_not_see_the_flag_and_the_province_sees_it(w, flag):
    flag, _payment = flag
    other = logged_in_client(city_unit_user("440300"))
    assert other.get(reverse("integrity:detail", args=[flag.pk])).status_code == 404
    assert other.get(reverse("api:risk-flags")).json()["results"] == []
    province = logged_in_client(province_user())
    assert province.get(reverse("integrity:detail", args=[flag.pk])).status_code == 200
    assert province.post(reverse("api:risk-flag-confirm", args=[flag.pk]), {"reason": "x"}).status_code == 403


def test_the_api_lists_filters_and_decides(w, flag):
    flag, _payment = flag
    client = logged_in_client(w.unit)
    listed = client.get(reverse("api:risk-flags"), {"kind": "related_party", "status": "open"}).json()
    assert [item["id"] for item in listed["results"]] == [flag.pk] and listed["count"] == 1
    assert listed["results"][0]["orders"] == [flag.orders.get().pk]
    for search, found in ((flag.number, [flag.pk]), (flag.enterprise.organisation.name, [flag.pk]), ("无此企业", [])):
        assert [item["id"] for item in client.get(reverse("api:risk-flags"), {"q": search}).json()["results"]] == found
    for refused in ({"city": "abc"}, {"status": "gone"}, {"kind": "nothing"}):
        answer = client.get(reverse("api:risk-flags"), refused)
        assert answer.status_code == 400 and set(answer.json()["fields"]) == set(refused)
    assert client.post(reverse("api:risk-flag-clear", args=[flag.pk]), {"reason": ""}).status_code == 400
    answer = client.post(reverse("api:risk-flag-clear", args=[flag.pk]), {"reason": "已核实"})
    assert answer.status_code == 200 and answer.json()["status"] == "cleared"
    assert client.post(reverse("api:risk-flag-confirm", args=[flag.pk]), {"reason": "再改"}).status_code == 409


def test_the_flag_shows_on_the_order_page_and_in_the_queue(w, flag):
    flag, payment = flag
    client = logged_in_client(w.unit)
    assert flag.number in client.get(reverse("orders:detail", args=[payment.order_id])).content.decode()
    queue = client.get(reverse("integrity:list"), {"kind": "related_party"}).content.decode()
    assert f'data-testid="flag-{flag.pk}"' in queue


def test_enterprises_and_providers_see_no_flags(w, flag):
    flag, _payment = flag
    for user in (w.enterprise_user, w.provider_user):
        client = logged_in_client(user)
        assert client.get(reverse("integrity:list")).status_code == 403
        assert client.get(reverse("integrity:detail", args=[flag.pk])).status_code == 404
        assert client.get(reverse("api:risk-flags")).status_code == 403
        assert client.post(reverse("api:risk-flag-confirm", args=[flag.pk]), {"reason": "x"}).status_code == 404
