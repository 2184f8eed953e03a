"""Issue 15.10: "return" applies only before approval; after it, the city unit suspends an enterprise with a
reason (it is told, sees the reason and the unit's contact, cannot claim or order) and may reinstate it."""

import pytest

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.accounts.models import User
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises import services
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise
from smevoucher.enterprises.models import Enterprise
from smevoucher.notices.models import Notification
from smevoucher.orders import factories
from smevoucher.vouchers import services as vouchers
from smevoucher.vouchers.errors import NotEligible
from smevoucher.vouchers.factories import approved_enterprise, open_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return factories.world()


def suspend(enterprise, reason="提供虚假材料"):
    return services.enterprise_suspend(actor=city_unit_user(), enterprise_id=enterprise.pk, reason=reason)


def test_an_approved_enterprise_cannot_be_returned():
    enterprise = approved_enterprise()
    with pytest.raises(Conflict) as refused:
        services.enterprise_return(actor=city_unit_user(), enterprise_id=enterprise.pk, reason="x")
    assert refused.value.code == "use_suspend"
    assert Enterprise.objects.get(pk=enterprise.pk).status == Enterprise.Status.APPROVED


def test_suspension_is_audited_and_the_enterprise_told_why():
    enterprise = suspend(approved_enterprise())
    assert enterprise.status == Enterprise.Status.SUSPENDED
    assert AuditEvent.objects.get(action="enterprise.suspended").reason == "提供虚假材料"
    told = Notification.objects.get(user=enterprise_user(enterprise), event="enterprise.suspended")
    assert told.body == "提供虚假材料"


def test_a_suspension_needs_a_reason_and_an_approved_enterprise():
    with pytest.raises(ValidationFailed):
        suspend(approved_enterprise(), reason="  ")
    with pytest.raises(Conflict):
        suspend(sign_up_enterprise())


def test_a_suspended_enterprise_cannot_claim():
    enterprise, batch = approved_enterprise(), open_batch()
    suspend(enterprise)
    with pytest.raises(NotEligible):
        vouchers.claim_submit(actor=enterprise_user(enterprise), batch_id=batch.pk, amount_fen=100_00)


def test_a_suspended_enterprise_cannot_order_and_is_told_the_reason_and_the_units_contact(w):
    suspend(w.enterprise)
    with pytest.raises(services.NotApproved) as refused:
        factories.place(w, user=User.objects.get(pk=w.enterprise_user.pk))  # as a new request loads it
    assert refused.value.code == "enterprise_suspended"
    assert "提供虚假材料" in refused.value.message


def test_reinstating_lets_it_order_again():
    enterprise = suspend(approved_enterprise())
    unit = city_unit_user()
    services.enterprise_reinstate(actor=unit, enterprise_id=enterprise.pk, reason="已核实")
    services.enterprise_reinstate(actor=unit, enterprise_id=enterprise.pk)  # a double click: quiet
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.APPROVED and enterprise.suspension_reason == ""
    assert services.require_approved(enterprise) == enterprise
    assert AuditEvent.objects.filter(action="enterprise.reinstated").count() == 1


def test_only_its_city_unit_suspends():
    enterprise = approved_enterprise()
    for stranger in (province_user(), city_unit_user("440300")):
        with pytest.raises(Exception) as refused:
            services.enterprise_suspend(actor=stranger, enterprise_id=enterprise.pk, reason="x")
        assert refused.typename == "Http404"


def test_pages_show_the_suspension_to_both_sides():
    enterprise = approved_enterprise()
    unit = logged_in_client(city_unit_user())
    response = unit.post(f"/enterprises/{enterprise.pk}/suspend/", {"reason": "提供虚假材料"})
    assert response.status_code == 302
    assert 'data-testid="suspension"' in unit.get(f"/enterprises/{enterprise.pk}/").content.decode()
    home = logged_in_client(enterprise_user(enterprise)).get("/enterprises/mine/").content.decode()
    assert "提供虚假材料" in home and city_unit_user().organisation.name in home
    unit.post(f"/enterprises/{enterprise.pk}/reinstate/", {"reason": ""})
    assert Enterprise.objects.get(pk=enterprise.pk).status == Enterprise.Status.APPROVED


def test_api_suspend_and_reinstate():
    enterprise = approved_enterprise()
    client = logged_in_client(city_unit_user())
    url = f"/api/v1/enterprises/{enterprise.pk}/"
    assert client.post(url + "suspend/", {"reason": ""}, content_type="application/json").status_code == 400
    response = client.post(url + "suspend/", {"reason": "违规"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    assert response.json()["suspension_reason"] == "违规"
    response = client.post(url + "return/", {"reason": "x"}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "use_suspend"
    response = client.post(url + "reinstate/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    other = logged_in_client(enterprise_user(enterprise))
    assert other.post(url + "suspend/", {"reason": "x"}, content_type="application/json").status_code == 404
