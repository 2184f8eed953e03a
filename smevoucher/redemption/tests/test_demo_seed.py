import pytest

from smevoucher.demo.seed import seed
from smevoucher.redemption.models import Application
from smevoucher.vouchers.selectors import ledger_problems

pytestmark = pytest.mark.django_db


def test_demo_has_one_submitted_application_and_seeding_twice_changes_nothing():
    seed()
    seed()
    application = Application.objects.get()
    assert application.status == "submitted" and application.total_fen == 250_00
    assert application.application_scan_id and application.summary_scan_id
    assert application.scans_are_current and application.form_version == 2  # the first scans kept as version 1
    assert application.form_versions.get(number=1).application_scan_id
    assert ledger_problems() == []
