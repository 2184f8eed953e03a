from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.utils import timezone

from smevoucher.core import clock


def test_deadline_is_last_second_of_local_day_across_month_end():
    deadline = clock.deadline_after(date(2020, 1, 31), 30)
    assert (deadline.date(), deadline.time().replace(microsecond=0)) == (date(2020, 3, 1), time(23, 59, 59))
    assert deadline.utcoffset() == timedelta(hours=8)


def test_deadline_across_year_end_and_february():
    assert clock.deadline_after(date(2020, 12, 15), 30).date() == date(2021, 1, 14)
    assert clock.deadline_after(date(2021, 2, 1), 30).date() == date(2021, 3, 3)  # no 29 February in 2021


def test_deadline_from_aware_datetime_uses_the_local_calendar_day():
    # 20:30 UTC on 1 May is 04:30 on 2 May in Shanghai: the local day counts.
    moment = datetime(2020, 5, 1, 20, 30, tzinfo=UTC)
    assert clock.deadline_after(moment, 30).date() == date(2020, 6, 1)


def test_deadline_is_fixed_utc_plus_8_without_daylight_saving():
    for month in range(1, 13):
        assert clock.deadline_after(date(2020, month, 1), 0).utcoffset() == timedelta(hours=8)


def test_now_is_aware_and_local():
    with time_machine.travel(datetime(2020, 6, 30, 16, 0, 0, tzinfo=UTC), tick=False):
        now = clock.now()
        assert timezone.is_aware(now)
        assert (now.date(), now.hour) == (date(2020, 7, 1), 0)
        assert clock.today() == date(2020, 7, 1)


def test_a_moment_in_the_last_second_is_within_the_deadline_and_the_next_is_not():
    deadline = clock.deadline_after(date(2020, 8, 1), 30)
    last_second = datetime(2020, 8, 31, 23, 59, 59, 500000, tzinfo=timezone.get_default_timezone())
    assert last_second <= deadline
    assert last_second + timedelta(seconds=1) > deadline
