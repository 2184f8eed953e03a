from datetime import timedelta

import pytest
from django.http import Http404

from smevoucher.accounts.factories import city, city_unit_user, provider_user, province_user
from smevoucher.core import clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.notices.models import Notice
from smevoucher.notices.selectors import public_notices
from smevoucher.notices.services import notice_publish

pytestmark = pytest.mark.django_db


def test_city_unit_publishes_for_its_city_only():
    unit = city_unit_user("440100")
    notice = notice_publish(actor=unit, category="batch", title="第一批服务券发放公告", body="……")
    assert notice.city.code == "440100"
    with pytest.raises(ValidationFailed):
        notice_publish(actor=unit, category="batch", title="t", body="b", city=city("440300"))
    assert Notice.objects.count() == 1


def test_province_publishes_province_wide_or_for_a_city():
    province = province_user()
    assert notice_publish(actor=province, category="policy", title="通知", body="正文").city is None
    assert notice_publish(actor=province, category="policy", title="通知", body="正文", city=city("440300")).city


def test_only_units_publish():
    with pytest.raises(Http404):
        notice_publish(actor=provider_user(), category="other", title="t", body="b")


def test_expired_notices_leave_the_public_list():
    unit = city_unit_user()
    live = notice_publish(actor=unit, category="other", title="有效", body="b")
    notice_publish(actor=unit, category="other", title="过期", body="b", expires_at=clock.now() - timedelta(seconds=1))
    assert list(public_notices()) == [live]
