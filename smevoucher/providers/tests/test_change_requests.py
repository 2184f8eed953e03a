"""R4 change requests: an approved provider asks, the unit that reviews it applies or refuses."""

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified, province_user
from smevoucher.accounts.models import User
from smevoucher.core.errors import Conflict, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.directory.factories import directory_entry
from smevoucher.notices.models import Notification
from smevoucher.providers import services
from smevoucher.providers.factories import (
    approved_provider,
    letter_pdf,
    provider_user_of,
    register_provider,
    reviewer_for,
)
from smevoucher.providers.models import ChangeRequest

pytestmark = pytest.mark.django_db

PROOF = [("营业执照副本.pdf", letter_pdf())]


def ask(provider, **changes):
    return services.change_request_submit(
        actor=provider_user_of(provider), provider_id=provider.pk, proof_files=PROOF, **changes
    )


def test_apply_changes_name_user_name_and_contact_and_tells_the_provider():
    provider = approved_provider(entry=directory_entry(level="gz_station"))
    user = provider_user_of(provider)
    reviewer = city_unit_user("440100")
    change = ask(
        provider,
        new_name="广州市中小企业服务站（越秀新站）",
        new_username="yuexiu_new",
        new_contact_phone="020-12345678",
    )
    assert Notification.objects.filter(user=reviewer, event="provider.change_requested").exists()
    services.change_request_apply(actor=reviewer, request_id=change.pk, reply="已按营业执照变更")
    services.change_request_apply(actor=reviewer, request_id=change.pk)  # a repeated click is quiet
    provider.refresh_from_db()
    user.refresh_from_db()
    assert provider.organisation.name == "广州市中小企业服务站（越秀新站）"
    assert (user.username, provider.contact_phone) == ("yuexiu_new", "020-12345678")
    change.refresh_from_db()
    assert change.status == "applied" and change.old_values["username"] != "yuexiu_new"
    event = AuditEvent.objects.get(action="provider.change_applied")
    assert event.after["name"] == "广州市中小企业服务站（越秀新站）" and event.actor == reviewer
    assert Notification.objects.filter(user=user, event="provider.change_applied").exists()


def test_refuse_needs_a_reply_and_changes_nothing():
    provider = approved_provider(level="national")
    change = ask(provider, new_contact_name="新联系人")
    with pytest.raises(ValidationFailed):
        services.change_request_refuse(actor=province_user(), request_id=change.pk, reply="")
    services.change_request_refuse(actor=province_user(), request_id=change.pk, reply="证明材料不完整")
    provider.refresh_from_db()
    assert provider.contact_name != "新联系人"
    assert Notification.objects.filter(user=provider_user_of(provider), event="provider.change_refused").exists()
    with pytest.raises(Conflict):
        services.change_request_apply(actor=province_user(), request_id=change.pk)


def test_an_apply_the_database_refuses_leaves_the_request_undecided():
    """The decision is written before the new values, in one transaction: a user name taken meanwhile undoes both."""
    provider = approved_provider(level="national")
    change = ask(provider, new_username="taken_meanwhile")
    User.objects.create_user(username="taken_meanwhile", password="x")
    with pytest.raises(Conflict):
        services.change_request_apply(actor=province_user(), request_id=change.pk)
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decided_at) == (ChangeRequest.Status.PENDING, None, None)
    assert not AuditEvent.objects.filter(action="provider.change_applied").exists()
    services.change_request_refuse(actor=province_user(), request_id=change.pk, reply="用户名已被占用")


@pytest.mark.parametrize(
    ("level", "city_code", "wrong"),
    [("provincial", None, lambda: city_unit_user("440100")), ("municipal", "440100", province_user)],
)
def test_only_the_reviewing_unit_decides(level, city_code, wrong):
    provider = approved_provider(entry=directory_entry(level=level, city_code=city_code))
    change = ask(provider, new_contact_email="new@example.test")
    with pytest.raises(Exception) as error:
        services.change_request_apply(actor=wrong(), request_id=change.pk)
    assert error.typename == "Http404"
    services.change_request_apply(actor=reviewer_for(provider), request_id=change.pk)


def test_requests_need_proof_a_change_and_approval_and_one_at_a_time():
    pending = register_provider()
    with pytest.raises(Conflict):
        ask(pending, new_contact_name="甲")
    provider = approved_provider()
    with pytest.raises(ValidationFailed):
        ask(provider)  # nothing to change
    with pytest.raises(ValidationFailed) as error:
        services.change_request_submit(
            actor=provider_user_of(provider), provider_id=provider.pk, proof_files=[], new_contact_name="甲"
        )
    assert "proof" in error.value.fields
    ask(provider, new_contact_name="甲")
    with pytest.raises(ValidationFailed):
        ask(provider, new_contact_name="乙")
    assert ChangeRequest.objects.count() == 1


def test_change_request_api_and_pages(client):
    provider = approved_provider(level="provincial")
    api = APIClient()
    api.force_authenticate(provider_user_of(provider))
    response = api.post(
        f"/api/v1/providers/{provider.pk}/change-requests/",
        {"new_contact_name": "王新", "proof": [_upload()]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    change_id = response.json()["id"]
    api.force_authenticate(city_unit_user("440100"))
    assert api.post(f"/api/v1/change-requests/{change_id}/apply/", {}, format="json").status_code == 404
    login_verified(client, province_user())
    page = client.get(f"/providers/changes/{change_id}/").content.decode()
    assert "王新" in page and "同意并变更" in page
    client.post(f"/providers/changes/{change_id}/apply/", {"reply": "已变更"})
    provider.refresh_from_db()
    assert provider.contact_name == "王新"


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("证明.pdf", letter_pdf(), content_type="application/pdf")


@pytest.mark.parametrize(
    ("who", "page_status", "listed"),
    [
        ("own", 200, True),
        ("gz_unit", 200, True),
        ("sz_unit", 404, False),
        ("province", 200, True),
        ("other", 404, False),
    ],
)
def test_who_sees_a_stations_change_request(client, who, page_status, listed):
    provider = approved_provider(entry=directory_entry(level="gz_station"))
    change = ask(provider, new_contact_name="丙")
    actor = {
        "own": lambda: provider_user_of(provider),
        "gz_unit": lambda: city_unit_user("440100"),
        "sz_unit": lambda: city_unit_user("440300"),
        "province": province_user,
        "other": lambda: provider_user_of(approved_provider(level="national")),
    }[who]()
    login_verified(client, actor)
    assert client.get(f"/providers/changes/{change.pk}/").status_code == page_status
    api = APIClient()
    api.force_authenticate(actor)
    ids = {row["id"] for row in api.get("/api/v1/change-requests/").json()["results"]}
    assert (change.pk in ids) == listed
    can_decide = who == "gz_unit"
    response = client.post(f"/providers/changes/{change.pk}/apply/")
    change.refresh_from_db()
    assert (change.status == "applied") == can_decide
    if not can_decide:
        assert response.status_code in (302, 404)


def test_a_refused_change_request_keeps_the_proof_for_the_next_try(client):
    """Issue 13 (1): nothing to change yet → refused; the proof stays attached and is used on the corrected try."""
    import re

    from smevoucher.documents.models import Document

    provider = approved_provider(level="provincial")
    login_verified(client, provider_user_of(provider))
    refused = client.post("/providers/changes/new/", {"proof": _upload()})
    html = refused.content.decode()
    kept = re.search(r'name="proof__kept" value="(\d+)"', html).group(1)
    assert "data-error-summary" in html and not ChangeRequest.objects.exists()
    before = Document.objects.count()
    client.post("/providers/changes/new/", {"new_contact_name": "王新", "proof__kept": kept})
    change = ChangeRequest.objects.get()
    assert change.proof_id == int(kept) and Document.objects.count() == before
