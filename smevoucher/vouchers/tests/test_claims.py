"""R6 claims: window, eligibility, one per batch, idempotent retry, annual quota, queue place."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import enterprise_user, sign_up_enterprise
from smevoucher.vouchers import selectors, services
from smevoucher.vouchers.errors import ClaimWindowClosed, NotEligible, QuotaExceeded
from smevoucher.vouchers.factories import approved_enterprise, batch_terms, claim, open_batch
from smevoucher.vouchers.models import Claim

pytestmark = pytest.mark.django_db


def submit(enterprise, batch, fen):
    return services.claim_submit(actor=enterprise_user(enterprise), batch_id=batch.pk, amount_fen=fen)


def test_an_approved_enterprise_claims_and_it_is_audited():
    enterprise, batch = approved_enterprise(), open_batch()
    made, created = submit(enterprise, batch, 5000_00)
    assert created and (made.amount_fen, made.quota_fen, made.status, made.year) == (
        5000_00,
        5000_00,
        "waiting",
        batch.year,
    )
    assert AuditEvent.objects.filter(action="claim.submitted", object_id=str(made.pk)).exists()


def test_a_retry_returns_the_same_claim_and_changes_nothing():
    enterprise, batch = approved_enterprise(), open_batch()
    first, _ = submit(enterprise, batch, 5000_00)
    again, created = submit(enterprise, batch, 9000_00)
    assert not created and again.pk == first.pk and again.amount_fen == 5000_00
    assert Claim.objects.count() == 1 and AuditEvent.objects.filter(action="claim.submitted").count() == 1


def test_a_pending_enterprise_may_not_claim():
    enterprise, batch = sign_up_enterprise(), open_batch()
    with pytest.raises(NotEligible):
        submit(enterprise, batch, 100)
    assert not Claim.objects.exists()


def test_an_enterprise_of_another_city_gets_not_found():
    batch = open_batch("440100")
    with pytest.raises(Exception) as error:
        submit(approved_enterprise("440300"), batch, 100)
    assert error.typename == "Http404"


def test_a_draft_batch_is_not_found_by_enterprises():
    batch = services.batch_create(actor=city_unit_user(), **batch_terms())
    with pytest.raises(Exception) as error:
        submit(approved_enterprise(), batch, 100)
    assert error.typename == "Http404"


@pytest.mark.parametrize("amount", [0, -5, "100", 1.5, True])
def test_the_amount_must_be_positive_integer_fen(amount):
    with pytest.raises(ValidationFailed):
        submit(approved_enterprise(), open_batch(), amount)
    assert not Claim.objects.exists()


def test_claims_only_inside_the_window_to_the_last_microsecond():
    enterprise = approved_enterprise()
    batch = open_batch()
    with time_machine.travel(batch.claim_start - timedelta(microseconds=1), tick=False):
        with pytest.raises(ClaimWindowClosed):
            submit(enterprise, batch, 100)
    with time_machine.travel(batch.claim_end, tick=False):
        with pytest.raises(ClaimWindowClosed):
            submit(enterprise, batch, 100)
    with time_machine.travel(batch.claim_end - timedelta(microseconds=1), tick=False):
        assert submit(enterprise, batch, 100)[1]


def test_the_annual_quota_counts_every_claim_of_the_year():
    enterprise = approved_enterprise()
    first, second = open_batch(name="一"), open_batch(name="二")
    submit(enterprise, first, 15_000_00)
    with pytest.raises(QuotaExceeded) as error:
        submit(enterprise, second, 5_000_01)
    assert "¥5,000.00" in str(error.value)
    assert submit(enterprise, second, 5_000_00)[1]
    assert selectors.remaining_quota_fen(enterprise, first.year) == 0


def test_the_city_can_change_the_quota():
    enterprise, batch = approved_enterprise(), open_batch()
    services.quota_set(actor=city_unit_user(), year=batch.year, annual_quota_fen=1_000_00)
    with pytest.raises(QuotaExceeded):
        submit(enterprise, batch, 1_000_01)
    assert submit(enterprise, batch, 1_000_00)[1]


def test_queue_place_puts_priority_enterprises_first():
    batch = open_batch()
    a, b = approved_enterprise(), approved_enterprise()
    vip = approved_enterprise(tags=["sfjd"])
    claims = [claim(e, batch, 100) for e in (a, b, vip)]
    assert [selectors.queue_position(c) for c in claims] == [(2, 3), (3, 3), (1, 3)]


@pytest.mark.postgres
def test_the_claim_and_its_audit_row_are_written_in_one_statement():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's (a data-modifying CTE)")
    enterprise, batch = approved_enterprise(), open_batch()
    user = enterprise_user(enterprise)
    with CaptureQueriesContext(connection) as queries:
        made, _created = services.claim_submit(actor=user, batch_id=batch.pk, amount_fen=3000_00)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "WITH"))]
    assert len(writes) == 1 and "vouchers_claim" in writes[0] and "core_auditevent" in writes[0]
    stored = Claim.objects.get(pk=made.pk)
    assert (stored.amount_fen, stored.quota_fen, stored.status, stored.submitted_by_id) == (
        3000_00,
        3000_00,
        "waiting",
        user.pk,
    )
    event = AuditEvent.objects.get(action="claim.submitted", object_id=str(made.pk))
    assert (event.object_type, event.actor_id, event.actor_label, event.after) == (
        "vouchers.claim",
        user.pk,
        user.username,
        {"batch": batch.pk, "amount_fen": 3000_00},
    )


@pytest.mark.postgres
def test_the_claim_its_audit_row_and_its_trace_are_one_statement():
    """Issue 17's trace of the claim (client address, user-agent hash) rides in the claim's one statement."""
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's (a data-modifying CTE)")
    from smevoucher.core import identity, request_context
    from smevoucher.core.models import ActionTrace

    enterprise, batch = approved_enterprise(), open_batch()
    user = enterprise_user(enterprise)
    ip, agent = request_context.set_client_ip("203.0.113.9"), request_context.set_user_agent("Bench/1.0")
    try:
        with CaptureQueriesContext(connection) as queries:
            services.claim_submit(actor=user, batch_id=batch.pk, amount_fen=3000_00)
    finally:
        request_context.reset(ip)
        request_context.reset_user_agent(agent)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "WITH"))]
    assert len(writes) == 1 and "core_actiontrace" in writes[0]
    trace = ActionTrace.objects.get(user=user)
    assert (trace.action, trace.organisation_id, trace.ip_address, trace.user_agent_hash, trace.order_id) == (
        "claim",
        user.organisation_id,
        "203.0.113.9",
        identity.user_agent_hash("Bench/1.0"),
        None,
    )


def test_a_claim_outside_a_request_leaves_no_trace():
    from smevoucher.core.models import ActionTrace

    submit(approved_enterprise(), open_batch(), 100)
    assert not ActionTrace.objects.exists()
