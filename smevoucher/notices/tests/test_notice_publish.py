from datetime import timedelta

import pytest
import time_machine
from django.http import Http404

from smevoucher.accounts.factories import UserFactory, city, city_unit_user, provider_user, province_user
from smevoucher.core import clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.documents.services import document_upload
from smevoucher.documents.tests import corpus
from smevoucher.notices import services
from smevoucher.notices.models import Notice
from smevoucher.notices.selectors import public_notices

pytestmark = pytest.mark.django_db


def test_city_unit_publishes_for_its_city_only():
    unit = city_unit_user("440100")
    notice = services.notice_publish(actor=unit, category="batch", title="第一批服务券发放公告", body="……")
    assert notice.city.code == "440100"
    with pytest.raises(ValidationFailed):
        services.notice_publish(actor=unit, category="batch", title="t", body="b", city=city("440300"))
    assert Notice.objects.count() == 1
    assert AuditEvent.objects.filter(action="notice.published").count() == 1


def test_province_publishes_province_wide_or_for_a_city():
    province = province_user()
    assert services.notice_publish(actor=province, category="policy", title="通知", body="正文").city is None
    assert services.notice_publish(
        actor=province, category="policy", title="通知", body="正文", city=city("440300")
    ).city


def test_only_units_publish():
    with pytest.raises(Http404):
        services.notice_publish(actor=provider_user(), category="other", title="t", body="b")


def test_missing_fields_are_refused_in_chinese():
    with pytest.raises(ValidationFailed) as error:
        services.notice_publish(actor=city_unit_user(), category="nope", title=" ", body="")
    assert set(error.value.fields) == {"title", "body", "category"}
    assert "请填写标题" in str(error.value.fields["title"][0])


def test_expired_notices_leave_the_public_list():
    unit = city_unit_user()
    now = clock.now()
    lasting = services.notice_publish(actor=unit, category="other", title="长期", body="b")
    brief = services.notice_publish(
        actor=unit, category="other", title="短期", body="b", expires_at=now + timedelta(hours=1)
    )
    assert set(public_notices()) == {lasting, brief}
    with time_machine.travel(now + timedelta(hours=1, seconds=1)):
        assert list(public_notices()) == [lasting]


def test_scheduled_notice_appears_at_its_publish_time():
    now = clock.now()
    notice = services.notice_publish(
        actor=city_unit_user(), category="batch", title="预告", body="b", published_at=now + timedelta(days=1)
    )
    assert notice not in public_notices()
    with time_machine.travel(now + timedelta(days=1, seconds=1)):
        assert notice in public_notices()


def test_withdraw_and_update_are_the_publishers_only():
    unit = city_unit_user("440100")
    notice = services.notice_publish(actor=unit, category="other", title="原标题", body="b")
    with pytest.raises(Http404):
        services.notice_withdraw(actor=city_unit_user("440300"), notice_id=notice.pk)
    services.notice_update(actor=unit, notice_id=notice.pk, title="新标题", body="b", category="policy")
    services.notice_withdraw(actor=unit, notice_id=notice.pk)
    assert notice not in public_notices()
    assert Notice.objects.get(pk=notice.pk).title == "新标题"  # withdrawn, not deleted
    updated = AuditEvent.objects.get(action="notice.updated")
    assert updated.before["title"] == "原标题"


def test_attachments_must_be_the_units_own_materials():
    unit = city_unit_user()
    own = document_upload(actor=unit, kind="notice_attachment", files=[("名单.pdf", corpus.pdf())])
    foreign = document_upload(actor=UserFactory(), kind="other", files=[("x.pdf", corpus.pdf((200, 200)))])
    notice = services.notice_publish(actor=unit, category="allocation", title="结果", body="b", attachments=[own])
    assert list(notice.attachments.all()) == [own]
    with pytest.raises(ValidationFailed):
        services.notice_publish(actor=unit, category="other", title="t", body="b", attachments=[foreign])
