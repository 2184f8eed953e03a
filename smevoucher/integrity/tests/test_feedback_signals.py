"""Complaints and very low ratings are risk signals (issue 17): filing one raises a flag on the order for the
issuing city's unit, right after the commit; a good rating raises none."""

import pytest

from smevoucher.feedback import services as feedback
from smevoucher.feedback.tests.conftest import w  # noqa: F401 (the fixture)
from smevoucher.integrity.models import RiskFlag
from smevoucher.orders import factories
from smevoucher.orders.models import Order

pytestmark = [pytest.mark.integrity_events, pytest.mark.django_db(transaction=True)]


def received(w):  # noqa: F811
    return factories.advance(w, factories.place(w), Order.Status.PAYMENT_CONFIRMED)


def flags_of(order, kind):
    return list(RiskFlag.objects.filter(kind=kind, orders=order).values_list("status", "city_id"))


def test_a_complaint_and_a_very_low_rating_are_flagged_for_the_issuing_city(w):  # noqa: F811
    complained, rated_low, rated_well = received(w), received(w), received(w)
    RiskFlag.objects.all().delete()  # the factories' fast steps may look implausible; not what is tested here

    feedback.complaint_file(actor=w.enterprise_user, order_id=complained.pk, text="服务没有提供")
    feedback.rating_submit(actor=w.enterprise_user, order_id=rated_low.pk, score=1, comment="没有人联系我们")
    feedback.rating_submit(actor=w.enterprise_user, order_id=rated_well.pk, score=5)

    city = complained.batch.city_id
    assert flags_of(complained, "complaint") == [("open", city)]
    assert flags_of(rated_low, "low_rating") == [("open", city)]
    assert flags_of(rated_well, "low_rating") == []
    flag = RiskFlag.objects.get(kind="complaint")
    assert "服务没有提供" in str(flag.evidence)
