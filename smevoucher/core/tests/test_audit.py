import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from smevoucher.accounts.factories import UserFactory
from smevoucher.core import audit, request_context
from smevoucher.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_record_stores_who_what_when_and_address():
    user = UserFactory()
    token = request_context.set_client_ip("10.1.2.3")
    try:
        event = audit.record(user, "thing.changed", user, before={"a": 1}, after={"a": 2}, reason="因为")
    finally:
        request_context.reset(token)
    event.refresh_from_db()
    assert (event.actor, event.action, event.object_type, event.object_id) == (
        user,
        "thing.changed",
        "accounts.user",
        str(user.pk),
    )
    assert (event.before, event.after, event.reason, event.ip_address) == ({"a": 1}, {"a": 2}, "因为", "10.1.2.3")
    assert audit.verify_chain() == []


def test_events_are_sealed_into_the_chain_when_their_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = audit.record(None, "a")
    with django_capture_on_commit_callbacks(execute=True):
        second = audit.record(None, "b")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.seal_seq, second.seal_seq) == (1, 2)
    assert second.prev_hash == first.hash and first.prev_hash == audit.GENESIS


def test_recording_takes_no_lock_on_the_chain_head(django_assert_num_queries):
    with django_assert_num_queries(1):  # one INSERT; sealing happens after commit
        audit.record(None, "claim.submitted")


def test_a_backlog_is_sealed_a_chunk_at_a_time_into_one_chain(monkeypatch):
    """A bulk action's many events are sealed with one UPDATE per chunk, not per event, and still in id order."""
    monkeypatch.setattr(audit, "SEAL_CHUNK", 3)
    for number in range(7):
        audit.record(None, "claim.allocated", after={"n": number})
    with CaptureQueriesContext(connection) as captured:
        assert audit.seal_pending() == 7
    updates = [query for query in captured.captured_queries if 'UPDATE "core_auditevent"' in query["sql"]]
    assert len(updates) == 3  # 3 + 3 + 1 events
    events = list(AuditEvent.objects.order_by("id"))
    assert [event.seal_seq for event in events] == list(range(1, 8))
    assert [event.prev_hash for event in events[1:]] == [event.hash for event in events[:-1]]
    assert audit.verify_chain() == []


def test_modified_event_is_detected():
    user = UserFactory()
    audit.record(user, "order.confirmed", user, after={"fen": 100})
    tampered = audit.record(user, "order.paid", user, after={"fen": 5000})
    audit.record(user, "order.closed", user)
    audit.seal_pending()
    AuditEvent.objects.filter(pk=tampered.pk).update(after={"fen": 50})  # bypasses the model's guard
    problems = audit.verify_chain()
    assert any(f"event {tampered.pk}" in line and "modified" in line for line in problems)
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_removed_event_is_detected():
    audit.record(None, "a")
    middle = audit.record(None, "b")
    audit.record(None, "c")
    audit.seal_pending()
    AuditEvent.objects.filter(pk=middle.pk)._raw_delete(connection.alias)
    assert any("removed" in line for line in audit.verify_chain())


def test_events_cannot_be_changed_or_deleted_through_the_model():
    event = audit.record(None, "a")
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_records_form_one_unbroken_chain():
    """Many app servers appending at once: every event ends up sealed in one unbroken chain."""
    errors = []

    def worker(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    audit.record(None, f"w{n}.{i}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.count() == 80
    assert audit.verify_chain() == []
    assert sorted(AuditEvent.objects.values_list("seal_seq", flat=True)) == list(range(1, 81))
