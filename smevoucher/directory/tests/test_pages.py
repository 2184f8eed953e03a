"""The province unit keeps the directory through its pages: add, edit, deactivate; the API does the same."""

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import login_verified, province_user
from smevoucher.core.models import AuditEvent
from smevoucher.directory.factories import directory_entry
from smevoucher.directory.models import Entry

pytestmark = pytest.mark.django_db


def test_add_edit_and_deactivate_through_the_pages(client):
    login_verified(client, province_user())
    form = {
        "name": "广州市中小企业服务站（白云站）",
        "level": "gz_station",
        "city": "",
        "recognition_year": "2021",
        "valid_until": "2027-12-31",
        "source": "",
    }
    page = client.post("/directory/new/", form).content.decode()
    assert "市级示范平台和服务站须填写所在地市" in page and not Entry.objects.exists()
    from smevoucher.accounts.factories import city

    client.post("/directory/new/", {**form, "city": city("440100").pk})
    entry = Entry.objects.get()
    client.post(f"/directory/{entry.pk}/edit/", {**form, "city": city("440100").pk, "valid_until": "2028-06-30"})
    entry.refresh_from_db()
    assert entry.valid_until.isoformat() == "2028-06-30"
    client.post(f"/directory/{entry.pk}/active/", {"active": "0"})
    client.post(f"/directory/{entry.pk}/active/", {"active": "0"})  # a repeated click is quiet
    entry.refresh_from_db()
    assert not entry.active
    actions = list(AuditEvent.objects.filter(object_type="directory.entry").values_list("action", flat=True))
    assert actions == ["directory.entry_created", "directory.entry_updated", "directory.entry_deactivated"]
    assert "已停用" in client.get("/directory/", {"state": "inactive"}).content.decode()


def test_api_edit_and_deactivate():
    entry = directory_entry(name="广东省接口编辑平台")
    api = APIClient()
    api.force_authenticate(province_user())
    payload = {"name": entry.name, "level": "provincial", "recognition_year": 2019, "valid_until": "2029-12-31"}
    assert api.put(f"/api/v1/directory/{entry.pk}/", payload, format="json").json()["valid_until"] == "2029-12-31"
    response = api.post(f"/api/v1/directory/{entry.pk}/active/", {"active": False}, format="json")
    assert response.json()["active"] is False
    bad = api.put(f"/api/v1/directory/{entry.pk}/", {**payload, "level": "municipal"}, format="json")
    assert bad.status_code == 400 and "city" in bad.json()["fields"]
