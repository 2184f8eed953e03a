from collections.abc import Iterable

from django.db import connection, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from smevoucher.core import access, audit, clock, jobs
from smevoucher.core.errors import ValidationFailed

from .models import EmailPreference, Notice, Notification

# E-mails are sent by a worker, one task per chunk of notification ids (not one per message).
EMAIL_CHUNK = 1000
BODIES_PER_STATEMENT = 1000
NOTIFY_EACH = """
WITH bodies (body_key, body) AS (VALUES {values}), recipients (user_id, body_key, object_id) AS ({rows})
INSERT INTO {table} (user_id, event, title, body, url, object_type, object_id, created_at)
SELECT r.user_id, %s, %s, b.body, %s, %s, r.object_id, %s
  FROM recipients r JOIN bodies b ON b.body_key = r.body_key
RETURNING id
"""


def notify(users: Iterable, *, event: str, title: str, body: str = "", url: str = "", obj=None) -> list[Notification]:
    """Tell these users about an event: an in-app notification each, and an e-mail sent by a background
    task once the caller's transaction commits (nothing is sent for a change that rolled back).

    Title and body are rendered now, in the active language; pass plain strings.
    """
    object_type, object_id = audit.object_label(obj)
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    notifications = [
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
    ]
    Notification.objects.bulk_create(notifications)
    _queue_emails([n.pk for n in notifications])
    return notifications


def notify_each(rows, *, event: str, title: str, bodies: dict, url: str = "", object_type: str = "") -> int:
    """Many notifications at once (an allocation's results), set-based: `rows` is a values_list query of
    (user id, body key, object id), or the (sql, params) of a query of those three columns; `bodies` maps each body
    key to its text (rendered once per key, not per row).
    Inserted by one INSERT … SELECT per BODIES_PER_STATEMENT keys; the e-mails are queued after the commit, one
    task per chunk of ids. Returns how many notifications were made."""
    keys = list(bodies)
    ids: list[int] = []
    rows_sql, rows_params = rows if isinstance(rows, tuple) else rows.query.sql_with_params()
    for start in range(0, len(keys), BODIES_PER_STATEMENT):
        part = keys[start : start + BODIES_PER_STATEMENT]
        values = ", ".join(["(%s, %s)"] * len(part))
        sql = NOTIFY_EACH.format(table=Notification._meta.db_table, values=values, rows=rows_sql)
        params = [v for key in part for v in (key, str(bodies[key]))]
        params += [*rows_params, event, str(title), url, object_type, clock.now()]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids += [row[0] for row in cursor.fetchall()]
    _queue_emails(ids)
    return len(ids)


NOTIFY_ROWS = """
INSERT INTO {table} (user_id, event, title, body, url, object_type, object_id, created_at)
SELECT r.user_id, %s, r.title, r.body, r.url, %s, r.object_id, %s FROM ({rows}) AS r
RETURNING id
"""


def notify_rows(rows: tuple[str, list], *, event: str, object_type: str = "") -> int:
    """Many notifications, each with its own text and link (a sweep ending many orders), in one INSERT … SELECT:
    `rows` is the (sql, params) of a query with the columns user_id, title, body, url and object_id (text), one row
    per recipient (active users only: the caller's query decides). E-mails are queued after the commit in chunks,
    as `notify_each` does. Returns how many notifications were made."""
    rows_sql, rows_params = rows
    sql = NOTIFY_ROWS.format(table=Notification._meta.db_table, rows=rows_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [event, object_type, clock.now(), *rows_params])
        ids = [row[0] for row in cursor.fetchall()]
    _queue_emails(ids)
    return len(ids)


def _queue_emails(ids: list[int]) -> None:
    for start in range(0, len(ids), EMAIL_CHUNK):
        jobs.queue_after_commit("smevoucher.notices.tasks.send_notification_emails", ids[start : start + EMAIL_CHUNK])


def notify_organisation(organisation, **kwargs) -> list[Notification]:
    """Notify every active user of an organisation."""
    return notify(organisation.users.filter(is_active=True), **kwargs)


def _notice_fields(*, category: str, title: str, body: str) -> tuple[str, str]:
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
    return title, body


def _check_attachments(actor, attachments) -> list:
    attachments = list(attachments or [])
    if any(document.organisation_id != actor.organisation_id for document in attachments):
        raise ValidationFailed(fields={"attachments": [_("Attach only materials uploaded by your unit.")]})
    return attachments


@transaction.atomic
def notice_publish(
    *,
    actor,
    category: str,
    title: str,
    body: str,
    city=None,
    published_at=None,
    expires_at=None,
    pinned: bool = False,
    attachments=(),
    obj=None,
) -> Notice:
    """Publish a notice on the board. The province unit publishes for the whole province or any city; a city
    unit only for its own city (DESIGN §1). Results of other parts of the system (allocation, redemption) are
    published through this with `obj` set to what they report on. A future `published_at` schedules it."""
    if not access.is_unit_staff(actor):
        raise Http404
    if access.is_city_unit(actor):
        if city is None:
            city = actor.organisation.city
        if city.pk != actor.organisation.city_id:
            raise ValidationFailed(fields={"city": [_("A city unit publishes notices for its own city only.")]})
    title, body = _notice_fields(category=category, title=title, body=body)
    published_at = published_at or clock.now()
    if expires_at is not None and expires_at <= published_at:
        raise ValidationFailed(fields={"expires_at": [_("The notice must expire after it is published.")]})
    attachments = _check_attachments(actor, attachments)
    object_type, object_id = audit.object_label(obj)
    notice = Notice.objects.create(
        publisher=actor.organisation,
        city=city,
        category=category,
        title=title,
        body=body,
        published_at=published_at,
        expires_at=expires_at,
        pinned=pinned,
        created_by=actor,
        object_type=object_type,
        object_id=object_id,
    )
    notice.attachments.set(attachments)
    audit.record(
        actor,
        "notice.published",
        notice,
        after={"title": title, "city": city.code if city else None, "attachments": [d.pk for d in attachments]},
    )
    return notice


def _notice_for_publisher(*, actor, notice_id: int) -> Notice:
    notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
    return access.require(actor, "notices.change_notice", notice)


@transaction.atomic
def notice_update(
    *, actor, notice_id: int, title: str, body: str, category: str, expires_at=None, pinned: bool = False
) -> Notice:
    """Correct a published notice; the audit log keeps what it said before."""
    notice = _notice_for_publisher(actor=actor, notice_id=notice_id)
    title, body = _notice_fields(category=category, title=title, body=body)
    if expires_at is not None and expires_at <= notice.published_at:
        raise ValidationFailed(fields={"expires_at": [_("The notice must expire after it is published.")]})
    before = {
        "title": notice.title,
        "body": notice.body,
        "category": notice.category,
        "expires_at": notice.expires_at,
        "pinned": notice.pinned,
    }
    notice.title, notice.body, notice.category, notice.expires_at, notice.pinned = (
        title,
        body,
        category,
        expires_at,
        pinned,
    )
    notice.save(update_fields=["title", "body", "category", "expires_at", "pinned"])
    audit.record(
        actor,
        "notice.updated",
        notice,
        before=before,
        after={"title": title, "body": body, "category": category, "expires_at": expires_at, "pinned": pinned},
    )
    return notice


@transaction.atomic
def notice_attach(*, actor, notice_id: int, document) -> Notice:
    notice = _notice_for_publisher(actor=actor, notice_id=notice_id)
    _check_attachments(actor, [document])
    notice.attachments.add(document)
    audit.record(actor, "notice.attachment_added", notice, after={"document": document.pk})
    return notice


@transaction.atomic
def notice_withdraw(*, actor, notice_id: int) -> Notice:
    """Take a notice off the public board now (it expires); nothing is deleted."""
    notice = _notice_for_publisher(actor=actor, notice_id=notice_id)
    now = clock.now()
    if notice.expires_at is not None and notice.expires_at <= now:
        return notice
    before = notice.expires_at
    notice.expires_at = max(now, notice.published_at)
    notice.save(update_fields=["expires_at"])
    audit.record(
        actor, "notice.withdrawn", notice, before={"expires_at": before}, after={"expires_at": notice.expires_at}
    )
    return notice


def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=clock.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def email_preferences_set(*, user, groups_on: set[str]) -> None:
    """E-mail for these groups of events, none for the others; in-app notifications are not affected."""
    unknown = set(groups_on) - set(EmailPreference.Group.values)
    if unknown:
        raise ValidationFailed(fields={"groups": [_("Choose among the groups offered.")]})
    for group in EmailPreference.Group.values:
        EmailPreference.objects.update_or_create(user=user, group=group, defaults={"email": group in groups_on})
