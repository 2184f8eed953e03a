import pytest
from django.core import mail

from smevoucher.accounts.factories import UserFactory
from smevoucher.notices.models import Notification
from smevoucher.notices.services import notify

pytestmark = pytest.mark.django_db


def test_notify_creates_in_app_notifications_and_emails_after_commit(django_capture_on_commit_callbacks):
    alice, bob = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify([alice, bob], event="test.event", title="订单已确认", body="您的订单已确认。", url="/x/", obj=alice)
    assert Notification.objects.filter(user=alice, title="订单已确认", object_type="accounts.user").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    assert all(n.emailed_at for n in Notification.objects.all())


def test_nothing_is_emailed_when_the_change_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([UserFactory()], event="e", title="t")
    assert len(callbacks) == 1 and mail.outbox == []  # queued for on_commit only


def test_inactive_users_are_not_notified():
    assert notify([UserFactory(is_active=False)], event="e", title="t") == []
