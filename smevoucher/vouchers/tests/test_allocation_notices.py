"""Issue 16 (3): an allocation tells every active user of every applicant in bulk, and queues the e-mails after the
commit in chunks of notification ids (one task per chunk, not one per claim)."""

from datetime import timedelta

import pytest
import time_machine

from smevoucher.accounts.factories import UserFactory
from smevoucher.core import jobs
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.notices import services as notices
from smevoucher.notices.models import Notification
from smevoucher.vouchers import services
from smevoucher.vouchers.factories import approved_enterprise, claim, open_batch

pytestmark = pytest.mark.django_db


def test_every_active_user_of_each_applicant_is_told_and_e_mails_go_in_chunks(monkeypatch):
    batch = open_batch(total_fen=150_00)
    first, second, third = approved_enterprise(), approved_enterprise(), approved_enterprise()
    claims = {e.pk: claim(e, batch, 100_00) for e in (first, second, third)}
    owner, second_user, third_user = (enterprise_user(e) for e in (first, second, third))
    colleague = UserFactory(organisation=first.organisation)
    gone = UserFactory(organisation=first.organisation, is_active=False)
    queued = []
    monkeypatch.setattr(notices, "EMAIL_CHUNK", 2)
    monkeypatch.setattr(jobs, "queue_after_commit", lambda name, *args: queued.append((name, *args)))
    with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
        services.batch_allocate(actor=None, batch_id=batch.pk)

    told = Notification.objects.filter(event="claim.allocated")
    by_user = {n.user_id: n for n in told}
    assert set(by_user) == {
        owner.pk,
        colleague.pk,
        second_user.pk,
        third_user.pk,
    }
    assert gone.pk not in by_user
    assert by_user[colleague.pk].object_id == str(claims[first.pk].pk)
    assert "¥100.00" in by_user[colleague.pk].body and "¥50.00" in by_user[second_user.pk].body
    assert "¥" not in by_user[third_user.pk].body  # waits for vouchers that come back
    assert all(n.url == "/vouchers/wallet/" or n.url.endswith("wallet/") for n in told)

    chunks = [args[0] for name, *args in queued if name == "smevoucher.notices.tasks.send_notification_emails"]
    assert sorted(i for chunk in chunks for i in chunk) == sorted(by_user[u].pk for u in by_user)
    assert len(chunks) == 2 and all(len(chunk) <= 2 for chunk in chunks)
