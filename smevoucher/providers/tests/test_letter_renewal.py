"""Issue 15.4: the commitment letter dated in the current year is renewed each year (R3): upload with the
registration's checks, review by the same unit (R4), the gate on confirmations, reminders from 1 December."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.directory.factories import directory_entry
from smevoucher.notices.models import Notification
from smevoucher.providers import selectors, services
from smevoucher.providers.factories import CHECKED, approved_provider, letter_pdf, provider_user_of, reviewer_for
from smevoucher.providers.models import LetterRenewal, Provider
from smevoucher.workbench.cards import cards_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEXT_YEAR = date.today().year + 1
JANUARY = datetime(NEXT_YEAR, 1, 5, 10, tzinfo=SHANGHAI)


def _letter():
    return [("承诺书.pdf", letter_pdf())]


def _submit(provider, day):
    return services.letter_renewal_submit(
        actor=provider_user_of(provider), provider_id=provider.pk, commitment_date=day, letter_files=_letter()
    )


def test_from_1_january_the_letter_of_last_year_is_not_current_until_a_new_one_is_uploaded():
    provider = approved_provider()
    assert selectors.letter_is_current(provider)
    with time_machine.travel(JANUARY, tick=False):
        assert not selectors.letter_is_current(provider)
        with pytest.raises(ValidationFailed) as refused:  # the registration's check: dated this year
            _submit(provider, date(NEXT_YEAR - 1, 12, 20))
        assert "commitment_date" in refused.value.fields
        with pytest.raises(ValidationFailed):
            _submit(provider, date(NEXT_YEAR, 1, 9))  # not in the future either
        renewal = _submit(provider, date(NEXT_YEAR, 1, 4))
        assert renewal.year == NEXT_YEAR and renewal.status == LetterRenewal.Status.SUBMITTED
        assert _submit(provider, date(NEXT_YEAR, 1, 4)) == renewal  # a double click
        assert selectors.letter_is_current(provider)
        unit = reviewer_for(provider)
        assert Notification.objects.filter(user__organisation=unit.organisation, event="provider.letter_submitted")


def test_the_reviewing_unit_approves_with_the_checklist_and_the_letter_becomes_the_providers():
    provider = approved_provider(entry=directory_entry(level="municipal", city_code="440100"))
    with time_machine.travel(JANUARY, tick=False):
        renewal = _submit(provider, date(NEXT_YEAR, 1, 3))
        with pytest.raises(Http404):  # another city's unit: not found
            services.letter_renewal_approve(actor=city_unit_user("440300"), renewal_id=renewal.pk, checklist=CHECKED)
        with pytest.raises(ValidationFailed):
            services.letter_renewal_approve(actor=reviewer_for(provider), renewal_id=renewal.pk, checklist={})
        services.letter_renewal_approve(actor=reviewer_for(provider), renewal_id=renewal.pk, checklist=CHECKED)
        provider.refresh_from_db()
        assert provider.commitment_date == date(NEXT_YEAR, 1, 3) and provider.commitment_letter_id == renewal.letter_id
        assert AuditEvent.objects.filter(action="provider.letter_approved").exists()
        assert selectors.letter_is_current(provider)
        with pytest.raises(ValidationFailed):  # already dated this year: nothing to renew
            _submit(provider, date(NEXT_YEAR, 1, 5))


def test_a_returned_letter_blocks_again_until_a_new_one_is_uploaded():
    provider = approved_provider()
    with time_machine.travel(JANUARY, tick=False):
        renewal = _submit(provider, date(NEXT_YEAR, 1, 3))
        with pytest.raises(ValidationFailed):
            services.letter_renewal_return(actor=reviewer_for(provider), renewal_id=renewal.pk, reason="")
        services.letter_renewal_return(actor=reviewer_for(provider), renewal_id=renewal.pk, reason="印章不清晰")
        assert not selectors.letter_is_current(provider)
        with pytest.raises(Conflict):
            services.letter_renewal_approve(actor=reviewer_for(provider), renewal_id=renewal.pk, checklist=CHECKED)
        assert Notification.objects.filter(event="provider.letter_returned", body="印章不清晰").exists()
        _submit(provider, date(NEXT_YEAR, 1, 5))
        assert selectors.letter_is_current(provider)


def test_reminders_from_1_december_and_from_1_january_once_each():
    provider = approved_provider()
    user = provider_user_of(provider)
    with time_machine.travel(datetime(NEXT_YEAR - 1, 11, 30, 10, tzinfo=SHANGHAI), tick=False):
        assert services.letter_send_reminders() == 0
    with time_machine.travel(datetime(NEXT_YEAR - 1, 12, 1, 9, tzinfo=SHANGHAI), tick=False):
        assert services.letter_send_reminders() == 1
        assert services.letter_send_reminders() == 0
    with time_machine.travel(JANUARY, tick=False):
        assert services.letter_send_reminders() == 1
        assert services.letter_send_reminders() == 0
        _submit(provider, date(NEXT_YEAR, 1, 4))
    assert Notification.objects.filter(user=user, event="provider.letter_reminder").count() == 2


def test_the_workbench_shows_the_letter_to_the_provider_and_the_review_to_the_unit():
    provider = approved_provider(entry=directory_entry(level="municipal", city_code="440100"))
    with time_machine.travel(JANUARY, tick=False):
        mine = {card.code: card for card in cards_for(provider_user_of(provider))}
        assert mine["letter_to_renew"].count == 1 and mine["letter_to_renew"].url == "/providers/mine/letter/"
        _submit(provider, date(NEXT_YEAR, 1, 4))
        assert {c.code: c.count for c in cards_for(provider_user_of(provider))}["letter_to_renew"] == 0
        unit = {c.code: c for c in cards_for(reviewer_for(provider))}
        assert unit["letter_review"].count == 1


def test_the_api_uploads_lists_and_decides_letters():
    provider = approved_provider()
    api = APIClient()
    with time_machine.travel(JANUARY, tick=False):
        login_verified(api, provider_user_of(provider))  # a session of the day
        response = api.post(
            f"/api/v1/providers/{provider.pk}/letters/",
            {"commitment_date": f"{NEXT_YEAR}-01-04", "letter": SimpleUploadedFile("承诺书.pdf", letter_pdf())},
            format="multipart",
        )
        assert response.status_code == 201, response.json()
        renewal_id = response.json()["id"]
        assert api.get(f"/api/v1/providers/{provider.pk}/letters/").json()[0]["status"] == "submitted"
        assert api.post(f"/api/v1/letter-renewals/{renewal_id}/approve/", {}, format="json").status_code == 404
        unit = APIClient()
        login_verified(unit, reviewer_for(provider))
        assert [r["id"] for r in unit.get("/api/v1/letter-renewals/?status=submitted").json()["results"]] == [
            renewal_id
        ]
        response = unit.post(f"/api/v1/letter-renewals/{renewal_id}/approve/", {"checklist": CHECKED}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "approved"
    assert Provider.objects.get(pk=provider.pk).commitment_date == date(NEXT_YEAR, 1, 4)


def test_the_letter_template_api_answers_a_pdf_like_the_page():
    provider = approved_provider()
    api = APIClient()
    eligible = directory_entry(level="provincial")
    response = api.get("/api/v1/providers/commitment-letter.pdf", {"name": eligible.name})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert api.get("/api/v1/providers/commitment-letter.pdf", {"name": "不在名录的机构"}).status_code == 404
    login_verified(api, provider_user_of(provider))
    assert api.get("/api/v1/providers/commitment-letter.pdf").content.startswith(b"%PDF")
