from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import pgettext_lazy

from smevoucher.accounts.models import Organisation
from smevoucher.core import access, clock
from smevoucher.core.lists import BADGE_LIMIT

from .models import EmailPreference, Notice, Notification


def public_notices() -> QuerySet[Notice]:
    """Published and not expired: what the public notice board shows."""
    now = clock.now()
    return (
        Notice.objects.filter(published_at__lte=now)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("city", "publisher")
    )


def filter_notices(queryset: QuerySet[Notice], *, city_code: str = "", category: str = "", query: str = ""):
    """A city's filter shows that city's notices and the province-wide ones."""
    if city_code:
        queryset = queryset.filter(Q(city__code=city_code) | Q(city__isnull=True))
    if category in Notice.Category.values:
        queryset = queryset.filter(category=category)
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return queryset


def public_notice_get(notice_id: int) -> Notice:
    notice = public_notices().prefetch_related("attachments").filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    return notice


def notices_managed_by(user) -> QuerySet[Notice]:
    """The notices a unit may change: its own; the province unit's remit is all of them."""
    base = Notice.objects.select_related("city", "publisher")
    if access.is_province_unit(user):
        return base
    if access.is_unit_staff(user):
        return base.filter(publisher_id=user.organisation_id)
    return base.none()


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    # Bounded like every to-do badge (issue 16, core.lists.BADGE_LIMIT: "99+" beyond): one user may hold a
    # million notifications, and the menu shows this count on every page.
    unread = Notification.objects.filter(user=user, read_at__isnull=True).order_by().values("pk")
    return unread[:BADGE_LIMIT].count()


def unit_contacts() -> QuerySet[Organisation]:
    """The handling units and their contacts, as the help centre lists them."""
    return Organisation.objects.filter(kind__in=access.UNIT_KINDS).select_related("city").order_by("kind", "city__code")


def email_groups_on(user) -> list[str]:
    """The groups of events the user receives e-mail about (all unless turned off)."""
    muted = set(EmailPreference.objects.filter(user=user, email=False).values_list("group", flat=True))
    return [group for group in EmailPreference.Group.values if group not in muted]


def notification_states() -> list[tuple[str, str]]:
    return [("unread", pgettext_lazy("notification", "Unread")), ("read", pgettext_lazy("notification", "Read"))]


def notifications_filtered(filters, notifications: QuerySet[Notification]) -> QuerySet[Notification]:
    """The messages list's search and read filter (a `core.lists.ListFilterForm` with `notification_states()`), as
    its page and its API offer them. Read or not is a timestamp: the filter tests it, so the unread messages' own
    index serves a million (issue 16)."""
    return filters.apply(
        notifications,
        search=("title",),
        status_conditions={"unread": Q(read_at__isnull=True), "read": Q(read_at__isnull=False)},
    )
