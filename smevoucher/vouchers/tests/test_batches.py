"""R6 batches: each transition allowed, refused, audited; allocation order; results published."""

from datetime import timedelta

import pytest
import time_machine

from smevoucher.accounts.factories import city_unit_user, province_user
from smevoucher.core import clock
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.notices.models import Notice, Notification
from smevoucher.vouchers import services
from smevoucher.vouchers.errors import WindowStillOpen
from smevoucher.vouchers.factories import approved_enterprise, batch_terms, claim, open_batch
from smevoucher.vouchers.models import Batch, Claim, LedgerAccount
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db


def after_window(batch):
    return time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False)


def test_city_unit_creates_a_draft_for_its_city_and_it_is_audited():
    unit = city_unit_user("440100")
    batch = services.batch_create(actor=unit, **batch_terms())
    assert (batch.status, batch.city.code, batch.coverage_limit_bp, batch.partial_last) == (
        "draft",
        "440100",
        5000,
        True,
    )
    assert AuditEvent.objects.filter(action="batch.created", actor=unit, object_id=str(batch.pk)).exists()


@pytest.mark.parametrize("who", ["province", "enterprise"])
def test_only_a_city_unit_creates_batches(who):
    actor = province_user() if who == "province" else enterprise_user(approved_enterprise())
    with pytest.raises(Exception) as error:
        services.batch_create(actor=actor, **batch_terms())
    assert error.typename == "Http404" and not Batch.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"total_fen": 0}, "total_fen"),
        ({"name": "  "}, "name"),
        ({"coverage_limit_bp": 10001}, "coverage_limit_bp"),
        ({"service_end": clock.today() - timedelta(days=400)}, "service_end"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(change, field):
    with pytest.raises(ValidationFailed) as error:
        services.batch_create(actor=city_unit_user(), **batch_terms(**change))
    assert field in error.value.fields and not Batch.objects.exists()


def test_the_qualifying_period_may_not_end_after_the_validity_end():
    """Issue 13 (8): a service completed after the vouchers expire could never be paid with them."""
    unit = city_unit_user()
    terms = batch_terms()
    late = terms["validity_end"] + timedelta(days=1)
    with pytest.raises(ValidationFailed) as error:
        services.batch_create(actor=unit, **{**terms, "service_end": late})
    assert "service_end" in error.value.fields and not Batch.objects.exists()
    batch = services.batch_create(actor=unit, **{**terms, "service_end": terms["validity_end"]})  # the last day is fine
    with pytest.raises(ValidationFailed) as error:
        services.batch_update(actor=unit, batch_id=batch.pk, validity_end=terms["service_end"] - timedelta(days=1))
    assert "service_end" in error.value.fields


def test_window_must_close_after_it_opens():
    start = clock.now()
    with pytest.raises(ValidationFailed) as error:
        services.batch_create(actor=city_unit_user(), **batch_terms(start=start, hours=0))
    assert "claim_end" in error.value.fields


def test_draft_can_be_edited_but_not_after_opening():
    unit = city_unit_user()
    batch = services.batch_create(actor=unit, **batch_terms())
    services.batch_update(actor=unit, batch_id=batch.pk, total_fen=123_45)
    batch.refresh_from_db()
    assert batch.total_fen == 123_45
    assert AuditEvent.objects.filter(action="batch.updated").count() == 1
    services.batch_open(actor=unit, batch_id=batch.pk)
    with pytest.raises(Conflict):
        services.batch_update(actor=unit, batch_id=batch.pk, total_fen=1)


def test_another_city_unit_cannot_touch_the_batch():
    batch = services.batch_create(actor=city_unit_user("440100"), **batch_terms())
    for action in (services.batch_open, services.batch_allocate, services.batch_close):
        with pytest.raises(Exception) as error:
            action(actor=city_unit_user("440300"), batch_id=batch.pk)
        assert error.typename == "Http404"
    batch.refresh_from_db()
    assert batch.status == "draft"


def test_open_funds_the_pool_and_publishes_the_batch():
    batch = open_batch(total_fen=500_00)
    pool = LedgerAccount.objects.get(batch=batch, kind="pool")
    assert (batch.status, pool.balance_fen, pool.opening_fen) == ("open", 500_00, 500_00)
    assert Notice.objects.filter(category="batch", object_id=str(batch.pk)).exists()
    assert AuditEvent.objects.filter(action="batch.opened").count() == 1
    services.batch_open(actor=city_unit_user(), batch_id=batch.pk)  # a double click is quiet
    assert LedgerAccount.objects.filter(batch=batch, kind="pool").count() == 1


def test_allocation_waits_for_the_window_to_close():
    batch = open_batch()
    with pytest.raises(WindowStillOpen):
        services.batch_allocate(actor=city_unit_user(), batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == "open"


def test_allocation_gives_priority_first_then_submission_order_until_the_total_is_used():
    batch = open_batch(total_fen=250_00)
    first, second = approved_enterprise(), approved_enterprise()
    priority = approved_enterprise(tags=["zjtx"])
    for enterprise in (first, second, priority):
        claim(enterprise, batch, 100_00)
    with after_window(batch):
        services.batch_allocate(actor=city_unit_user(), batch_id=batch.pk)
    got = {c.enterprise_id: (c.allocated_fen, c.status) for c in Claim.objects.filter(batch=batch)}
    assert got[priority.pk] == (100_00, "allocated")
    assert got[first.pk] == (100_00, "allocated")
    assert got[second.pk] == (50_00, "partial")  # partial last (the default)
    assert LedgerAccount.objects.get(batch=batch, kind="pool").balance_fen == 0
    assert ledger_problems() == []


def test_without_partial_last_the_remainder_waits_in_the_pool():
    batch = open_batch(total_fen=150_00, partial_last=False)
    a, b = approved_enterprise(), approved_enterprise()
    claim(a, batch, 100_00)
    claim(b, batch, 100_00)
    with after_window(batch):
        services.batch_allocate(actor=None, batch_id=batch.pk)
    assert Claim.objects.get(enterprise=b).allocated_fen == 0
    assert LedgerAccount.objects.get(batch=batch, kind="pool").balance_fen == 50_00


def test_allocation_results_are_published_and_sent_to_every_applicant():
    batch = open_batch(total_fen=100_00)
    winner, waiting = approved_enterprise(name="甲公司有限公司"), approved_enterprise(name="乙公司有限公司")
    claim(winner, batch, 100_00)
    claim(waiting, batch, 100_00)
    with after_window(batch):
        services.batch_allocate(actor=None, batch_id=batch.pk)
    notice = Notice.objects.get(category=Notice.Category.ALLOCATION, object_id=str(batch.pk))
    assert "甲公司有限公司" in notice.body and "¥100.00" in notice.body
    assert "乙公司有限公司" not in notice.body
    for enterprise in (winner, waiting):
        assert Notification.objects.filter(user=enterprise_user(enterprise), event="claim.allocated").count() == 1
    assert AuditEvent.objects.filter(action="batch.allocated").count() == 1


def test_allocating_twice_applies_once():
    batch = open_batch(total_fen=100_00)
    claim(approved_enterprise(), batch, 60_00)
    with after_window(batch):
        services.batch_allocate(actor=None, batch_id=batch.pk)
        services.batch_allocate(actor=city_unit_user(), batch_id=batch.pk)
    assert Claim.objects.get().allocated_fen == 60_00
    assert AuditEvent.objects.filter(action="batch.allocated").count() == 1


def test_close_stops_counting_unallocated_requests_against_the_quota():
    batch = open_batch(total_fen=100_00)
    lucky, unlucky = approved_enterprise(), approved_enterprise()
    claim(lucky, batch, 100_00)
    claim(unlucky, batch, 300_00)
    with pytest.raises(Conflict):
        services.batch_close(actor=city_unit_user(), batch_id=batch.pk)
    with after_window(batch):
        services.batch_allocate(actor=None, batch_id=batch.pk)
        services.batch_close(actor=city_unit_user(), batch_id=batch.pk)
    rows = {c.enterprise_id: (c.status, c.quota_fen) for c in Claim.objects.all()}
    assert rows[unlucky.pk] == ("unsuccessful", 0)
    assert rows[lucky.pk] == ("allocated", 100_00)
    assert AuditEvent.objects.filter(action="batch.closed").count() == 1


def test_quota_setting_is_audited_and_scoped_to_the_city():
    unit = city_unit_user("440100")
    services.quota_set(actor=unit, year=2026, annual_quota_fen=1_000_000)
    setting = services.quota_set(actor=unit, year=2026, annual_quota_fen=1_500_000, reclaim_gives_back_quota=False)
    assert (setting.city.code, setting.annual_quota_fen, setting.reclaim_gives_back_quota) == (
        "440100",
        1_500_000,
        False,
    )
    event = AuditEvent.objects.filter(action="quota.set").last()
    assert event.before["annual_quota_fen"] == 1_000_000 and event.after["annual_quota_fen"] == 1_500_000
    with pytest.raises(ValidationFailed):
        services.quota_set(actor=unit, year=2026, annual_quota_fen=-1)
    with pytest.raises(Exception) as error:
        services.quota_set(actor=province_user(), year=2026, annual_quota_fen=1)
    assert error.typename == "Http404"
