"""Ratings and complaints (issue 17): after receipt the enterprise rates the service once per order (revisable)
and may complain to the issuing city's unit, which answers and closes; ratings show in the catalogue."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from smevoucher.accounts.factories import city_unit_user, logged_in_client, province_user
from smevoucher.catalogue.models import Product
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.feedback import selectors, services
from smevoucher.feedback.models import Complaint
from smevoucher.notices.models import Notification
from smevoucher.orders import factories
from smevoucher.orders.models import Order

pytestmark = pytest.mark.django_db
S = Order.Status


def received(w, **kw) -> Order:
    return factories.advance(w, factories.place(w, **kw), S.PAYMENT_CONFIRMED)


def test_no_feedback_before_the_vouchers_are_received(w):
    order = factories.advance(w, factories.place(w), S.COMPLETED)
    with pytest.raises(Conflict) as refused:
        services.rating_submit(actor=w.enterprise_user, order_id=order.pk, score=5)
    assert refused.value.code == "not_received"
    with pytest.raises(Conflict):
        services.complaint_file(actor=w.enterprise_user, order_id=order.pk, text="没有服务")


def test_a_rating_counts_in_the_products_summary_and_a_revision_replaces_it(w):
    first, second = received(w), received(w, expected_fen=500_00)
    services.rating_submit(actor=w.enterprise_user, order_id=first.pk, score=4, comment="不错")
    services.rating_submit(actor=w.enterprise_user, order_id=second.pk, score=1)
    product = Product.objects.get(pk=w.product.pk)
    assert (product.rating_count, product.rating_total, product.rating_average) == (2, 5, 2.5)
    services.rating_submit(actor=w.enterprise_user, order_id=second.pk, score=3, comment="改进了")
    services.rating_submit(actor=w.enterprise_user, order_id=second.pk, score=3, comment="改进了")  # a double click
    product.refresh_from_db()
    assert (product.rating_count, product.rating_total, product.rating_average) == (2, 7, 3.5)
    assert AuditEvent.objects.filter(action="feedback.rated").count() == 2
    assert AuditEvent.objects.filter(action="feedback.rating_revised").count() == 1
    assert Notification.objects.filter(user=w.provider_user, event="feedback.rated").count() == 3


def test_a_score_outside_1_to_5_is_refused(w):
    order = received(w)
    for score in (0, 6, "5", True):
        with pytest.raises(ValidationFailed):
            services.rating_submit(actor=w.enterprise_user, order_id=order.pk, score=score)


def test_only_the_ordering_enterprise_gives_feedback(w):
    order = received(w)
    with pytest.raises(PermissionDenied):
        services.rating_submit(actor=w.provider_user, order_id=order.pk, score=5)
    with pytest.raises(Http404):
        services.complaint_file(actor=city_unit_user("440300"), order_id=order.pk, text="x")


def test_a_complaint_goes_to_the_issuing_citys_unit_which_answers_and_closes_it(w):
    order = received(w)
    complaint = services.complaint_file(actor=w.enterprise_user, order_id=order.pk, text="服务未完成")
    again = services.complaint_file(actor=w.enterprise_user, order_id=order.pk, text="再次投诉")
    assert again.pk == complaint.pk  # one in progress per order
    assert complaint.city_id == w.batch.city_id and complaint.provider_id == w.provider.pk
    unit = w.unit
    assert Notification.objects.filter(user=unit, event="feedback.complaint_filed").exists()
    assert list(selectors.complaints_visible_to(unit)) == [complaint]
    assert list(selectors.complaints_visible_to(city_unit_user("440300"))) == []
    assert list(selectors.complaints_visible_to(province_user())) == [complaint]
    services.complaint_answer(actor=unit, complaint_id=complaint.pk, answer="已约谈服务机构")
    services.complaint_close(actor=unit, complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED and complaint.answer == "已约谈服务机构"
    assert Notification.objects.filter(user=w.enterprise_user, event="feedback.complaint_answered").count() == 2
    with pytest.raises(Conflict):
        services.complaint_answer(actor=unit, complaint_id=complaint.pk, answer="again")
    actions = set(AuditEvent.objects.filter(action__startswith="feedback.complaint").values_list("action", flat=True))
    assert actions == {"feedback.complaint_filed", "feedback.complaint_answered", "feedback.complaint_closed"}


def test_the_province_sees_but_does_not_answer(w):
    complaint = services.complaint_file(actor=w.enterprise_user, order_id=received(w).pk, text="x")
    with pytest.raises(PermissionDenied):
        services.complaint_answer(actor=province_user(), complaint_id=complaint.pk, answer="y")


def test_selectors_for_the_integrity_rules(w):
    first, second = received(w), received(w, expected_fen=500_00)
    services.rating_submit(actor=w.enterprise_user, order_id=first.pk, score=1)
    services.rating_submit(actor=w.enterprise_user, order_id=second.pk, score=5)
    services.complaint_file(actor=w.enterprise_user, order_id=first.pk, text="x")
    assert [r.order_id for r in selectors.low_ratings(provider_id=w.provider.pk)] == [first.pk]
    assert selectors.complaints_of_provider(w.provider.pk).count() == 1
    assert selectors.provider_rating_summary(w.provider.pk) == {"count": 2, "average": 3.0, "low": 1}


def test_the_api_rates_complains_and_answers(w):
    order = received(w)
    client = logged_in_client(w.enterprise_user)
    url = f"/api/v1/orders/{order.pk}/"
    response = client.post(url + "rating/", {"score": 9}, content_type="application/json")
    assert response.status_code == 400 and "score" in response.json()["fields"]
    response = client.post(url + "rating/", {"score": 4, "comment": "好"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["score"] == 4
    catalogue = client.get(f"/api/v1/catalogue/{w.product.pk}/").json()
    assert (catalogue["rating_count"], catalogue["rating_average"]) == (1, 4.0)
    response = client.post(url + "complaint/", {"text": "发票不符"}, content_type="application/json")
    assert response.status_code == 201
    complaint_id = response.json()["id"]
    unit = logged_in_client(city_unit_user())
    assert [c["id"] for c in unit.get("/api/v1/complaints/").json()["results"]] == [complaint_id]
    response = unit.post(
        f"/api/v1/complaints/{complaint_id}/answer/", {"answer": "收到"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "answered"
    response = unit.post(f"/api/v1/complaints/{complaint_id}/close/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert (
        client.post(f"/api/v1/complaints/{complaint_id}/close/", {}, content_type="application/json").status_code == 403
    )
    stranger = logged_in_client(city_unit_user("440300"))
    assert stranger.get(f"/api/v1/complaints/{complaint_id}/").status_code == 404


def test_the_catalogue_page_shows_the_rating(w):
    services.rating_submit(actor=w.enterprise_user, order_id=received(w).pk, score=5)
    page = logged_in_client(w.enterprise_user).get("/catalogue/").content.decode()
    assert "★ 5.0" in page
