from collections.abc import Iterable

from django.db import transaction

from smevoucher.core import audit

from .models import Notification


def notify(users: Iterable, *, event: str, title: str, body: str = "", url: str = "", obj=None) -> list[Notification]:
    """Tell these users about an event: an in-app notification each, and an e-mail sent by a background
    task once the caller's transaction commits (nothing is sent for a change that rolled back).

    Title and body are rendered now, in the active language; pass plain strings.
    """
    object_type, object_id = audit.object_label(obj)
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    notifications = Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            event=event,
            title=str(title),
            body=str(body),
            url=url,
            object_type=object_type,
            object_id=object_id,
        )
        for user_id in recipients
    )
    ids = [n.pk for n in notifications]
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))
    return notifications


def notify_organisation(organisation, **kwargs) -> list[Notification]:
    """Notify every active user of an organisation."""
    return notify(organisation.users.filter(is_active=True), **kwargs)
