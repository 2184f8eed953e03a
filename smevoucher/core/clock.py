"""Time is Asia/Shanghai with aware datetimes (R14). Everything asks this module for "now" so tests can
freeze it in one place."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

LAST_MOMENT = time(23, 59, 59, 999999)


def now() -> datetime:
    """The current moment, aware, in the local (Asia/Shanghai) time zone."""
    return timezone.localtime(timezone.now(), timezone.get_default_timezone())


def today() -> date:
    return now().date()


def deadline_after(day: date | datetime, days: int) -> datetime:
    """The last second of the local calendar day `days` days after `day` (R14).

    "Within 30 days after the window ends on 1 March" ends at 23:59:59 local time on 31 March.
    """
    if isinstance(day, datetime):
        day = timezone.localtime(day, timezone.get_default_timezone()).date() if timezone.is_aware(day) else day.date()
    return datetime.combine(day + timedelta(days=days), LAST_MOMENT, tzinfo=timezone.get_default_timezone())


def end_of_day(day: date) -> datetime:
    return deadline_after(day, 0)
