"""Test factories: batches, claims and allocations built through the real services."""

from datetime import datetime, timedelta

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core import clock
from smevoucher.enterprises import services as enterprise_services
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise

from . import services
from .models import Batch


def approved_enterprise(city_code: str = "440100", *, tags: list[str] | None = None, **kwargs):
    enterprise = sign_up_enterprise(city_code=city_code, **kwargs)
    unit = city_unit_user(city_code)
    enterprise_services.enterprise_approve(actor=unit, enterprise_id=enterprise.pk)
    if tags:
        enterprise_services.enterprise_set_priority_tags(actor=unit, enterprise_id=enterprise.pk, tag_codes=tags)
    enterprise.refresh_from_db()
    return enterprise


def batch_terms(*, start: datetime | None = None, hours: int = 6, **overrides) -> dict:
    start = start or clock.now() - timedelta(minutes=1)
    end = start + timedelta(hours=hours)
    terms = {
        "name": "2026年第一批服务券",
        "total_fen": 10_000_00,
        "claim_start": start,
        "claim_end": end,
        "service_start": start.date(),
        "service_end": start.date() + timedelta(days=90),
        "validity_end": start.date() + timedelta(days=90),
    }
    terms.update(overrides)
    return terms


def open_batch(city_code: str = "440100", *, unit=None, **overrides) -> Batch:
    """A batch whose claim window is open now."""
    unit = unit or city_unit_user(city_code)
    batch = services.batch_create(actor=unit, **batch_terms(**overrides))
    return services.batch_open(actor=unit, batch_id=batch.pk)


def claim(enterprise, batch: Batch, amount_fen: int):
    return services.claim_submit(actor=enterprise_user(enterprise), batch_id=batch.pk, amount_fen=amount_fen)[0]
