"""The export job's lifecycle through the API: POST → GET status → download; a job is its owner's only."""

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified
from smevoucher.notices.models import Notification
from smevoucher.reporting.models import ExportJob

from .helpers import column, read_table

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a request queued after its commit (the in-process task runner), before the next request."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_unit_requests_an_export_follows_it_and_downloads_the_file(two, committed):
    client = api(two.gz.unit)
    with committed():
        answer = client.post("/api/v1/exports/", {"kind": "orders", "format": "csv"}, format="json")
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    job_id = answer.json()["id"]
    status = client.get(f"/api/v1/exports/{job_id}/").json()
    assert (status["status"], status["progress"], status["row_count"]) == ("done", 100, 3)
    assert status["file"] == f"/api/v1/exports/{job_id}/download/"
    download = client.get(status["file"])
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    table = read_table(b"".join(download.streaming_content), "csv")
    assert sorted(column(table, "订单编号")) == sorted(o.number for o in two.gz_orders)
    assert Notification.objects.filter(user=two.gz.unit, event="export.ready").exists()
    job = ExportJob.objects.get(pk=job_id)
    assert default_storage.exists(job.file.name) and job.file.name.startswith(f"exports/{two.gz.unit.pk}/")


def test_the_job_keeps_the_requesters_scope_and_filters(two, committed):
    client = api(two.province)
    with committed():
        answer = client.post(
            "/api/v1/exports/",
            {"kind": "orders", "filters": {"city": two.sz.batch.city_id, "status": "placed"}},
            format="json",
        )
    job = ExportJob.objects.get(pk=answer.json()["id"])
    assert job.filters == {"city": two.sz.batch.city_id, "status": "placed"} and job.row_count == 1
    assert job.format == "xlsx" and job.file.name.endswith(".xlsx")


def test_another_users_job_is_not_found(two, committed):
    job_id = api(two.gz.unit).post("/api/v1/exports/", {"kind": "orders"}, format="json").json()["id"]
    colleague = city_unit_user()  # the same unit, another person
    for user in (colleague, two.sz.unit, two.province):
        assert api(user).get(f"/api/v1/exports/{job_id}/").status_code == 404
        assert api(user).get(f"/api/v1/exports/{job_id}/download/").status_code == 404
    assert [j["id"] for j in api(colleague).get("/api/v1/exports/").json()] == []
    assert [j["id"] for j in api(two.gz.unit).get("/api/v1/exports/").json()] == [job_id]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "secrets"}, "kind"),
        ({"kind": "orders", "format": "pdf"}, "format"),
        ({"kind": "orders", "filters": {"since": "yesterday"}}, "since"),
        ({"kind": "orders", "filters": {"status": "nonsense"}}, "status"),
        ({"kind": "orders", "filters": {"batch": 2**70}}, "batch"),
        ({"kind": "audit", "filters": {"object_id": "abc"}}, "object_id"),
    ],
)
def test_bad_requests_answer_400_with_the_field(two, body, field):
    answer = api(two.gz.unit).post("/api/v1/exports/", body, format="json")
    assert answer.status_code == 400, answer.json()
    data = answer.json()
    assert set(data) == {"code", "message", "fields"} and field in str(data["fields"])
    assert not ExportJob.objects.exists()


def test_enterprises_and_providers_cannot_export(two):
    for user in (two.gz.enterprise_user, two.gz.provider_user):
        answer = api(user).post("/api/v1/exports/", {"kind": "orders"}, format="json")
        assert answer.status_code == 400 and "kind" in answer.json()["fields"]


def test_anonymous_visitors_are_refused():
    assert APIClient().post("/api/v1/exports/", {"kind": "orders"}, format="json").status_code in (401, 403)
    assert APIClient().get("/api/v1/audit/").status_code in (401, 403)


def test_the_page_requests_an_export_and_the_owner_downloads_it(client, two, committed):
    login_verified(client, two.gz.unit)
    with committed():
        assert client.post("/reports/exports/", {"kind": "enterprises", "format": "xlsx"}).status_code == 302
    page = client.get("/reports/exports/")
    job = ExportJob.objects.get()
    assert job.status == "done" and b'data-status="done"' in page.content
    assert f"/reports/exports/{job.pk}/download/".encode() in page.content
    download = client.get(f"/reports/exports/{job.pk}/download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    row = client.get(f"/reports/exports/{job.pk}/progress/")
    assert row.status_code == 200 and b"hx-trigger" not in row.content  # finished: polling stops
    login_verified(client, two.sz.unit)
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404
    assert client.get(f"/reports/exports/{job.pk}/progress/").status_code == 404


def test_a_running_job_is_polled_with_its_progress(client, two):
    job = ExportJob.objects.create(owner=two.gz.unit, kind="orders", status="running", total_rows=200, row_count=50)
    login_verified(client, two.gz.unit)
    row = client.get(f"/reports/exports/{job.pk}/progress/")
    assert b'hx-trigger="every 1s"' in row.content and b'aria-valuenow="25"' in row.content


def test_the_exports_page_is_for_units_only(client, two):
    login_verified(client, two.gz.enterprise_user)
    assert client.get("/reports/exports/").status_code == 403
    login_verified(client, two.gz.unit)
    assert client.get("/reports/exports/").status_code == 200


def test_exported_files_are_deleted_after_the_keeping_period(two, committed):
    from datetime import timedelta

    from django.utils import timezone

    from smevoucher.reporting.tasks import purge_exports

    with committed():
        job_id = api(two.gz.unit).post("/api/v1/exports/", {"kind": "orders"}, format="json").json()["id"]
    job = ExportJob.objects.get(pk=job_id)
    assert purge_exports() == 0 and default_storage.exists(job.file.name)
    ExportJob.objects.filter(pk=job_id).update(finished_at=timezone.now() - timedelta(days=8))
    assert purge_exports() == 1 and not default_storage.exists(job.file.name)
    assert ExportJob.objects.get(pk=job_id).status == "expired"
    assert api(two.gz.unit).get(f"/api/v1/exports/{job_id}/download/").status_code == 404
