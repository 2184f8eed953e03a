"""Test helpers: directory entries made through the real service."""

import itertools
from datetime import date

from smevoucher.accounts.factories import city, province_user
from smevoucher.core import clock

from . import services
from .models import CITY_LEVELS, Entry

_serial = itertools.count(1)


def directory_entry(
    *,
    name: str | None = None,
    level: str = "provincial",
    city_code: str | None = None,
    recognition_year: int = 2019,
    valid_until: date | None = None,
    actor=None,
) -> Entry:
    if city_code is None and level in CITY_LEVELS:
        city_code = "440100"
    return services.entry_create(
        actor=actor or province_user(),
        name=name or f"广东测试服务平台{next(_serial)}（有限公司）",
        level=level,
        city=city(city_code) if city_code else None,
        recognition_year=recognition_year,
        valid_until=valid_until or date(clock.today().year + 1, 12, 31),
        source="测试认定文件",
    )
