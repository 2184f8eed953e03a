"""Commands and periodic tasks: allocate_batch, the beat job that allocates closed windows, the schedule."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from smevoucher.vouchers import tasks
from smevoucher.vouchers.errors import ClaimWindowClosed
from smevoucher.vouchers.factories import approved_enterprise, claim, open_batch
from smevoucher.vouchers.models import Batch, Claim
from smevoucher.vouchers.services import claims as claim_services

pytestmark = pytest.mark.django_db


def test_allocate_batch_command(capsys):
    batch = open_batch(total_fen=100_00)
    claim(approved_enterprise(), batch, 100_00)
    with pytest.raises(CommandError):
        call_command("allocate_batch", str(batch.pk))  # the window is still open
    with pytest.raises(CommandError):
        call_command("allocate_batch", "999999")
    with time_machine.travel(batch.claim_end + timedelta(seconds=1), tick=False):
        call_command("allocate_batch", str(batch.pk))
        call_command("allocate_batch", str(batch.pk))  # twice: quiet
    assert "allocated" in capsys.readouterr().out
    assert Claim.objects.get().allocated_fen == 100_00


def test_beat_job_allocates_every_batch_whose_window_has_closed():
    closing, later = open_batch(hours=1), open_batch(hours=48)
    claim(approved_enterprise(), closing, 100_00)
    with time_machine.travel(closing.claim_end, tick=False):
        assert tasks.allocate_due_batches() == 1
    assert Batch.objects.get(pk=closing.pk).status == "allocated"
    assert Batch.objects.get(pk=later.pk).status == "open"


def test_every_periodic_job_is_in_the_beat_schedule():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("allocate_due_batches", "reclaim_sweep", "send_reminders"):
        assert f"smevoucher.vouchers.tasks.{name}" in scheduled
        assert callable(getattr(tasks, name))


def test_a_claim_racing_an_allocation_at_the_window_end_is_refused_and_not_saved():
    """The read saw the batch open; an allocation committed before the insert: the re-check refuses it."""
    batch = open_batch(total_fen=100_00)
    enterprise = approved_enterprise()
    real_read = claim_services._rush_read

    def read_then_allocation_commits(**kwargs):
        row = real_read(**kwargs)
        Batch.objects.filter(pk=batch.pk).update(status="allocated")  # what the other transaction did
        return row

    with (
        time_machine.travel(batch.claim_end - timedelta(seconds=2), tick=False),
        mock.patch.object(claim_services, "_rush_read", read_then_allocation_commits),
        pytest.raises(ClaimWindowClosed),
    ):
        claim(enterprise, batch, 100_00)
    assert not Claim.objects.exists()
