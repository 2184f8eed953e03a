import pytest
from django.core import mail
from rest_framework.test import APIClient

from smevoucher.accounts.factories import UserFactory
from smevoucher.core.lists import BADGE_LIMIT
from smevoucher.notices import services
from smevoucher.notices.models import Notification
from smevoucher.notices.services import notify

pytestmark = pytest.mark.django_db


def test_a_user_sees_only_their_own_notifications(client):
    alice, bob = UserFactory(), UserFactory()
    notify([alice], event="order.confirmed", title="给 Alice 的消息")
    notify([bob], event="order.confirmed", title="给 Bob 的消息")
    client.force_login(alice)
    page = client.get("/notifications/").content.decode()
    assert "给 Alice 的消息" in page and "给 Bob 的消息" not in page
    api = APIClient()
    api.force_authenticate(alice)
    assert [n["title"] for n in api.get("/api/v1/notifications/").json()["results"]] == ["给 Alice 的消息"]
    bobs = Notification.objects.get(user=bob)
    assert api.post(f"/api/v1/notifications/{bobs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{bobs.pk}/open/").status_code == 404


def test_opening_marks_read_and_follows_the_link(client):
    user = UserFactory()
    notification = notify([user], event="order.confirmed", title="订单", url="/documents/")[0]
    client.force_login(user)
    assert client.get("/").context["unread_notifications"] == 1
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response.url == "/documents/"
    assert client.get("/").context["unread_notifications"] == 0


def test_mark_all_read_and_unread_count_in_api():
    user = UserFactory()
    notify([user], event="a.b", title="一")
    notify([user], event="a.b", title="二")
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/notifications/").json()["unread_count"] == 2
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert api.get("/api/v1/notifications/", {"unread": "1"}).json()["results"] == []


def test_email_preferences_mute_a_group_but_not_the_in_app_message(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.email_preferences_set(user=user, groups_on={"account", "voucher"})  # orders muted
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], event="order.confirmed", title="订单已确认")
        notify([user], event="claim.allocated", title="服务券已发放")
    assert [m.subject for m in mail.outbox] == ["服务券已发放"]
    assert Notification.objects.filter(user=user).count() == 2


def test_an_offsite_link_is_not_followed(client):
    user = UserFactory()
    notification = notify([user], event="x.y", title="t", url="https://evil.example/")[0]
    client.force_login(user)
    assert client.post(f"/notifications/{notification.pk}/open/").url == "/notifications/"


def test_the_unread_count_stops_at_the_badge_limit(client):
    """Issue 16: the menu's unread badge counts at most BADGE_LIMIT rows (a user may hold a million notifications)
    and shows 99+ from there; exact below."""
    user = UserFactory()
    notify([user], event="a.b", title="一")
    client.force_login(user)
    assert client.get("/notifications/").context["unread_notifications"] == 1
    Notification.objects.bulk_create(Notification(user=user, event="a.b", title=f"第{i}条") for i in range(120))
    response = client.get("/notifications/")
    assert response.context["unread_notifications"] == BADGE_LIMIT == 100
    assert 'data-testid="unread-count">99+<' in response.content.decode()
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/notifications/").json()["unread_count"] == BADGE_LIMIT
