"""The read-replica router: opted-in reads go to the replica; writes, reads inside a rule's transaction and reads
after a write stay on the primary. In tests the alias "replica" is a mirror of the test database, so which
connection answered is what the query capture shows."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from smevoucher.core import audit, replica
from smevoucher.core.models import AuditEvent
from smevoucher.core.replica import read_replica, using_replica

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_configured(settings):
    settings.READ_REPLICA_ENABLED = True


class Capture:
    """Queries on the primary and on the replica during the block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)


def test_an_opted_in_read_comes_from_the_replica(replica_configured):
    audit.record(None, "test.event")
    with Capture() as seen, read_replica():
        assert [e.action for e in AuditEvent.objects.all()] == ["test.event"]
        assert using_replica(AuditEvent.objects.all()).count() == 1
    assert len(seen.replica) == 2 and len(seen.primary) == 0


def test_without_a_replica_configured_everything_reads_the_primary():
    with Capture() as seen, read_replica():
        AuditEvent.objects.count()
        using_replica(AuditEvent.objects.all()).count()
    assert len(seen.replica) == 0 and len(seen.primary) == 2


def test_reads_inside_a_transaction_stay_on_the_primary(replica_configured):
    with Capture() as seen, read_replica(), transaction.atomic():
        AuditEvent.objects.count()
        using_replica(AuditEvent.objects.all()).count()
    assert len(seen.replica) == 0


def test_reads_after_a_write_stay_on_the_primary(replica_configured):
    with Capture() as seen, read_replica():
        audit.record(None, "test.write")
        AuditEvent.objects.count()
    assert len(seen.replica) == 0


def test_reads_outside_the_scope_stay_on_the_primary(replica_configured):
    with Capture() as seen:
        AuditEvent.objects.count()
    assert len(seen.replica) == 0
    assert replica.PrimaryReplicaRouter().allow_migrate("replica", "core") is False


def test_a_service_never_reads_the_replica(replica_configured):
    """The worst case: a view that opted into the replica calls rule services (claims, including the retry path,
    and a notice). Every one of their queries goes to the primary."""
    from smevoucher.accounts.factories import city_unit_user
    from smevoucher.enterprises.factories import enterprise_user
    from smevoucher.notices import services as notices
    from smevoucher.vouchers import services as vouchers
    from smevoucher.vouchers.factories import approved_enterprise, open_batch

    enterprise, batch = approved_enterprise(), open_batch()
    user, unit = enterprise_user(enterprise), city_unit_user()
    with Capture() as seen, read_replica():
        claim, created = vouchers.claim_submit(actor=user, batch_id=batch.pk, amount_fen=100_00)
        again, created_again = vouchers.claim_submit(actor=user, batch_id=batch.pk, amount_fen=100_00)
        notices.notice_publish(actor=unit, category="batch", title="公告", body="正文")
    assert created and not created_again and again.pk == claim.pk
    assert len(seen.primary) > 0
    assert [q["sql"] for q in seen.replica] == []


def test_the_public_lists_read_the_replica(client, replica_configured):
    """The catalogue and the notice board (pages and API) opted in; the session and user still come from the
    primary (they are read before the view)."""
    for path in ("/catalogue/", "/notices/", "/api/v1/catalogue/", "/api/v1/notices/"):
        with Capture() as seen:
            response = client.get(path)
        assert response.status_code == 200, path
        assert len(seen.replica) > 0, path
