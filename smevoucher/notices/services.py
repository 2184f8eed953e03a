from collections.abc import Iterable

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, clock
from smevoucher.core.errors import ValidationFailed

from .models import Notice, Notification


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


@transaction.atomic
def notice_publish(
    *,
    actor,
    category: str,
    title: str,
    body: str,
    city=None,
    expires_at=None,
    pinned: bool = False,
    obj=None,
) -> Notice:
    """Publish a notice on the board. The province unit publishes for the whole province or any city; a city
    unit only for its own city (DESIGN §1). Results of other parts of the system (allocation, redemption) are
    published through this with `obj` set to what they report on."""
    if not access.is_unit_staff(actor):
        raise Http404
    if access.is_city_unit(actor):
        if city is None:
            city = actor.organisation.city
        if city.pk != actor.organisation.city_id:
            raise ValidationFailed(fields={"city": [_("A city unit publishes notices for its own city only.")]})
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("Enter a title.")]
    if not body:
        errors["body"] = [_("Enter the text of the notice.")]
    if category not in Notice.Category.values:
        errors["category"] = [_("Choose a category.")]
    if errors:
        raise ValidationFailed(fields=errors)
    object_type, object_id = audit.object_label(obj)
    notice = Notice.objects.create(
        publisher=actor.organisation,
        city=city,
        category=category,
        title=title,
        body=body,
        published_at=clock.now(),
        expires_at=expires_at,
        pinned=pinned,
        object_type=object_type,
        object_id=object_id,
    )
    audit.record(actor, "notice.published", notice, after={"title": title, "city": city.code if city else None})
    return notice
