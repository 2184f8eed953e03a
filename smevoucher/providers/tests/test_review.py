"""R4: the right unit reviews each level; the checklist (R3); return, correction, resubmission; notices."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified, province_user
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.directory.factories import directory_entry
from smevoucher.notices.models import Notification
from smevoucher.providers import selectors, services
from smevoucher.providers.factories import CHECKED, provider_user_of, register_provider, reviewer_for
from smevoucher.providers.models import Provider

pytestmark = pytest.mark.django_db

# (level, city of the directory entry, who reviews, who must not)
ROUTING = [
    ("national", None, "province", ["gz_unit", "sz_unit"]),
    ("provincial", None, "province", ["gz_unit", "sz_unit"]),
    ("municipal", "440100", "gz_unit", ["province", "sz_unit"]),
    ("gz_station", "440100", "gz_unit", ["province", "sz_unit"]),
    ("municipal", "440300", "sz_unit", ["province", "gz_unit"]),
]


def unit(name):
    return {
        "province": province_user,
        "gz_unit": lambda: city_unit_user("440100"),
        "sz_unit": lambda: city_unit_user("440300"),
    }[name]()


@pytest.mark.parametrize(("level", "city_code", "reviewer", "others"), ROUTING)
def test_each_level_goes_to_the_unit_r4_names(level, city_code, reviewer, others):
    actor, other_actors = unit(reviewer), [unit(other) for other in others]
    provider = register_provider(entry=directory_entry(level=level, city_code=city_code))
    assert selectors.reviewing_unit(provider) == actor.organisation
    assert Notification.objects.filter(user=actor, event="provider.submitted").exists()
    for other in other_actors:
        assert not Notification.objects.filter(user=other, event="provider.submitted").exists()
    for actor_ in other_actors:
        assert provider not in selectors.review_queue_for(actor_)
        with pytest.raises(Exception) as error:
            services.provider_approve(actor=actor_, provider_id=provider.pk, checklist=CHECKED)
        assert error.typename == "Http404"
        with pytest.raises(Exception) as error:
            services.provider_return(actor=actor_, provider_id=provider.pk, reason="不属于本单位")
        assert error.typename == "Http404"
    assert provider in selectors.review_queue_for(actor)
    services.provider_approve(actor=actor, provider_id=provider.pk, checklist=CHECKED)
    provider.refresh_from_db()
    assert provider.status == "approved"


def test_the_new_registration_is_announced_only_to_its_unit():
    gz, sz, province = city_unit_user("440100"), city_unit_user("440300"), province_user()
    register_provider(entry=directory_entry(level="gz_station"))
    assert Notification.objects.filter(user=gz, event="provider.submitted").exists()
    assert not Notification.objects.filter(user__in=[sz, province], event="provider.submitted").exists()


def test_approval_needs_every_checklist_item():
    provider = register_provider()
    reviewer = reviewer_for(provider)
    with pytest.raises(ValidationFailed) as error:
        services.provider_approve(
            actor=reviewer, provider_id=provider.pk, checklist={**CHECKED, "hand_signature": False}
        )
    assert "亲笔签字" in " ".join(error.value.fields["checklist"])
    provider.refresh_from_db()
    assert provider.status == "submitted"


def test_approval_tells_the_provider_records_the_decision_and_a_repeat_is_quiet():
    provider = register_provider()
    reviewer = reviewer_for(provider)
    services.provider_approve(actor=reviewer, provider_id=provider.pk, checklist=CHECKED)
    services.provider_approve(actor=reviewer, provider_id=provider.pk, checklist=CHECKED)
    assert AuditEvent.objects.filter(action="provider.approved", actor=reviewer).count() == 1
    assert Notification.objects.filter(user=provider_user_of(provider), event="provider.approved").count() == 1
    provider.refresh_from_db()
    assert provider.checklist == CHECKED and provider.decided_at


def test_a_letter_from_last_year_cannot_be_approved_in_the_new_year(time_machine):
    time_machine.move_to("2027-12-30T10:00:00+08:00")
    provider = register_provider(entry=directory_entry(valid_until=date(2030, 12, 31)))
    time_machine.move_to("2028-01-02T10:00:00+08:00")
    with pytest.raises(ValidationFailed):
        services.provider_approve(actor=reviewer_for(provider), provider_id=provider.pk, checklist=CHECKED)


def test_return_correct_resubmit_approve():
    provider = register_provider()
    reviewer = reviewer_for(provider)
    user = provider_user_of(provider)
    with pytest.raises(ValidationFailed):
        services.provider_return(actor=reviewer, provider_id=provider.pk, reason=" ")
    services.provider_return(actor=reviewer, provider_id=provider.pk, reason="承诺书使用了签章，请法定代表人亲笔签字")
    provider.refresh_from_db()
    assert provider.status == "returned"
    assert Notification.objects.filter(user=user, event="provider.returned").exists()
    with pytest.raises(Conflict):
        services.provider_approve(actor=reviewer, provider_id=provider.pk, checklist=CHECKED)

    from smevoucher.providers.factories import letter_pdf

    old_letter = provider.commitment_letter_id
    services.provider_submit(
        actor=user,
        provider_id=provider.pk,
        changes={"contact_phone": "13900000000"},
        commitment_files=[("新承诺书.pdf", letter_pdf())],
    )
    provider.refresh_from_db()
    assert (provider.status, provider.contact_phone) == ("submitted", "13900000000")
    assert provider.commitment_letter_id != old_letter and provider.commitment_letter.replaces_id == old_letter
    assert Notification.objects.filter(user__organisation=reviewer.organisation, event="provider.resubmitted").exists()
    services.provider_submit(actor=user, provider_id=provider.pk)  # a repeated click is quiet
    services.provider_approve(actor=reviewer, provider_id=provider.pk, checklist=CHECKED)
    actions = list(
        AuditEvent.objects.filter(object_id=str(provider.pk), object_type="providers.provider").values_list(
            "action", flat=True
        )
    )
    assert actions == ["provider.registered", "provider.returned", "provider.resubmitted", "provider.approved"]


def test_resubmission_checks_the_letter_date_again():
    provider = register_provider()
    services.provider_return(actor=reviewer_for(provider), provider_id=provider.pk, reason="日期不清")
    with pytest.raises(ValidationFailed) as error:
        services.provider_submit(
            actor=provider_user_of(provider), provider_id=provider.pk, changes={"commitment_date": date(2001, 1, 1)}
        )
    assert "commitment_date" in error.value.fields


def test_the_review_page_shows_materials_beside_the_data_and_decides(client):
    provider = register_provider(entry=directory_entry(level="gz_station"))
    login_verified(client, city_unit_user("440100"))
    page = client.get(f"/providers/{provider.pk}/").content.decode()
    assert f"/documents/{provider.licence_id}/preview/" in page
    assert f"/documents/{provider.commitment_letter_id}/preview/" in page
    assert "亲笔签字" in page and "公章清晰可辨认" in page
    assert client.get(f"/documents/{provider.licence_id}/preview/").status_code == 200
    client.post(f"/providers/{provider.pk}/approve/", {"hand_signature": "on", "seal_legible": "on"})
    provider.refresh_from_db()
    assert provider.status == "submitted"  # one box unticked
    client.post(f"/providers/{provider.pk}/approve/", {k: "on" for k in CHECKED})
    provider.refresh_from_db()
    assert provider.status == "approved"


def test_province_sees_a_municipal_registration_but_cannot_decide(client):
    provider = register_provider(entry=directory_entry(level="municipal"))
    login_verified(client, province_user())
    response = client.get(f"/providers/{provider.pk}/")
    assert response.status_code == 200 and not response.context["can_review"]


@pytest.mark.parametrize(("who", "expected"), [("province", 200), ("gz_unit", 404), ("sz_unit", 404), ("own", 404)])
def test_approve_api_for_a_provincial_registration(who, expected):
    provider = register_provider(level="provincial")
    actor = provider_user_of(provider) if who == "own" else unit(who)
    api = APIClient()
    api.force_authenticate(actor)
    response = api.post(f"/api/v1/providers/{provider.pk}/approve/", {"checklist": CHECKED}, format="json")
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["code"] == "not_found"
    assert Provider.objects.get(pk=provider.pk).status == ("approved" if expected == 200 else "submitted")


def test_return_and_submit_through_the_api():
    provider = register_provider(level="national")
    api = APIClient()
    api.force_authenticate(province_user())
    bad = api.post(f"/api/v1/providers/{provider.pk}/return/", {"reason": ""}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error" and "reason" in bad.json()["fields"]
    assert (
        api.post(f"/api/v1/providers/{provider.pk}/return/", {"reason": "营业执照模糊"}, format="json").json()["status"]
        == "returned"
    )
    api.force_authenticate(provider_user_of(provider))
    response = api.post(f"/api/v1/providers/{provider.pk}/submit/", {"address": "广州市天河区新地址"})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["address"] == "广州市天河区新地址"


def test_the_provider_corrects_on_its_profile_page(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smevoucher.enterprises.factories import licence_image

    provider = register_provider()
    services.provider_return(actor=reviewer_for(provider), provider_id=provider.pk, reason="营业执照不清晰")
    login_verified(client, provider_user_of(provider))
    page = client.get("/providers/mine/").content.decode()
    assert "营业执照不清晰" in page and "修改并重新提交" in page
    form = {field: getattr(provider, field) for field in services.PROFILE_FIELDS}
    form["commitment_date"] = provider.commitment_date.isoformat()
    form["licence"] = SimpleUploadedFile("清晰执照.jpg", licence_image(), content_type="image/jpeg")
    response = client.post("/providers/mine/", form, follow=True)
    assert "已重新提交" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == "submitted" and provider.licence.replaces_id is not None
