"""Directory import from a sheet: template, row-by-row errors before anything is saved, apply, command."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from smevoucher.accounts.factories import login_verified, province_user
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.directory import services
from smevoucher.directory.models import Entry, Import
from smevoucher.directory.sheets import COLUMNS

pytestmark = pytest.mark.django_db

HEADERS = [title for _key, title in COLUMNS]


def sheet(*rows) -> bytes:
    book = Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ("国家某某服务平台有限公司", "国家级", "", 2019, "2026-12-31", "工信部文件"),
    ("广东省某某服务中心", "省级", "", 2017, date(2020, 12, 31), "粤工信函〔2017〕1号"),
    ("广州市某某市级平台", "市级", "广州市", 2020, "2027-06-30", ""),
    ("广州市中小企业服务站（天河站）", "广州市中小企业服务站", "广州", 2020, "2027/12/31", ""),
]


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    """The check is queued after commit; tests run it as the in-process task runner would."""
    with django_capture_on_commit_callbacks(execute=True):
        yield


def upload(content: bytes, actor=None) -> Import:
    job = services.directory_import_upload(actor=actor or province_user(), filename="名录.xlsx", content=content)
    return services.directory_import_check(import_id=job.pk)


def test_template_has_the_columns(client):
    login_verified(client, province_user())
    response = client.get("/directory/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in book.active[1]] == HEADERS


def test_a_good_sheet_is_checked_then_applied():
    actor = province_user()
    job = upload(sheet(*GOOD), actor)
    assert job.status == "ready" and job.processed_rows == 4 and not Entry.objects.exists()
    services.directory_import_apply(actor=actor, import_id=job.pk)
    assert Entry.objects.count() == 4
    station = Entry.objects.get(level="gz_station")
    assert station.city.code == "440100" and station.valid_until == date(2027, 12, 31)
    provincial = Entry.objects.get(level="provincial")
    assert provincial.valid_until == date(2020, 12, 31) and provincial.city is None
    assert AuditEvent.objects.filter(action="directory.imported").count() == 1
    services.directory_import_apply(actor=actor, import_id=job.pk)  # a repeated click is quiet
    assert Entry.objects.count() == 4


def test_errors_are_listed_by_row_and_nothing_is_saved():
    job = upload(
        sheet(
            GOOD[0],
            ("", "省级", "", 2019, "2026-12-31", ""),
            ("某平台", "区级", "", 2019, "2026-12-31", ""),
            ("某市级平台", "市级", "", 2019, "2026-12-31", ""),
            ("某日期平台", "省级", "", 2019, "明年", ""),
            ("某城市平台", "市级", "火星市", 2019, "2026-12-31", ""),
            GOOD[0],
        )
    )
    assert job.status == "invalid"
    rows = sorted({error["row"] for error in job.errors})
    assert rows == [3, 4, 5, 6, 7, 8]
    messages = " ".join(error["message"] for error in job.errors)
    assert "火星市" in messages and "第 2 行" in messages
    with pytest.raises(ValidationFailed):
        services.directory_import_apply(actor=province_user(), import_id=job.pk)
    assert not Entry.objects.exists()


def test_reimport_updates_and_reactivates():
    actor = province_user()
    services.directory_import_apply(actor=actor, import_id=upload(sheet(GOOD[1]), actor).pk)
    entry = Entry.objects.get()
    services.entry_set_active(actor=actor, entry_id=entry.pk, active=False)
    changed = (GOOD[1][0] + " ", "省级", "", 2017, "2021-06-30", "延期文件")
    job = services.directory_import_apply(actor=actor, import_id=upload(sheet(changed), actor).pk)
    entry.refresh_from_db()
    assert (job.created, job.updated) == (0, 1)
    assert entry.active and entry.valid_until == date(2021, 6, 30)


def test_not_a_workbook_is_refused():
    with pytest.raises(ValidationFailed):
        services.directory_import_upload(actor=province_user(), filename="a.xlsx", content=b"hello")
    job = upload(b"PK\x03\x04 not really a zip")
    assert job.status == "invalid" and "Excel" in job.errors[0]["message"]


def test_import_pages_show_errors_then_import(client):
    login_verified(client, province_user())
    bad = io.BytesIO(sheet(("某市级平台", "市级", "", 2019, "2026-12-31", "")))
    bad.name = "名录.xlsx"
    job = Import.objects.get(pk=client.post("/directory/import/", {"file": bad}).url.split("/")[-2])
    services.directory_import_check(import_id=job.pk)  # the queued task (runs after commit)
    page = client.get(f"/directory/import/{job.pk}/").content.decode()
    assert "市级示范平台和服务站须填写所在地市" in page and "没有保存" in page
    good = io.BytesIO(sheet(*GOOD))
    good.name = "名录.xlsx"
    job = Import.objects.get(pk=client.post("/directory/import/", {"file": good}).url.split("/")[-2])
    services.directory_import_check(import_id=job.pk)
    assert "导入名录" in client.get(f"/directory/import/{job.pk}/").content.decode()
    client.post(f"/directory/import/{job.pk}/apply/")
    assert Entry.objects.count() == 4


def test_progress_fragment_polls_while_running(client):
    login_verified(client, province_user())
    job = Import.objects.create(filename="x.xlsx", content=b"", uploaded_by=province_user(), total_rows=1000)
    Import.objects.filter(pk=job.pk).update(processed_rows=400)
    fragment = client.get(f"/directory/import/{job.pk}/", HTTP_HX_TARGET="import-progress").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "40%" in fragment and "<html" not in fragment


def test_import_directory_command(tmp_path):
    province_user()
    path = tmp_path / "名录.xlsx"
    path.write_bytes(sheet(*GOOD))
    call_command("import_directory", str(path))
    assert Entry.objects.count() == 4
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet(("", "省级", "", 2019, "2026-12-31", "")))
    with pytest.raises(CommandError):
        call_command("import_directory", str(bad))
    assert Entry.objects.count() == 4


def test_the_templates_example_row_is_refused(client):
    """Issue 13 (8): the downloaded template, filled in below its sample row, is refused until the sample goes."""
    login_verified(client, province_user())
    book = load_workbook(io.BytesIO(client.get("/directory/template.xlsx").content))
    book.active.append(list(GOOD[0]))
    out = io.BytesIO()
    book.save(out)
    job = upload(out.getvalue())
    assert job.status == "invalid" and [e["row"] for e in job.errors] == [2]
    assert "模板中的示例行" in job.errors[0]["message"]
    assert not Entry.objects.exists()


def test_the_check_previews_what_confirming_adds_and_updates(client):
    actor = province_user()
    services.directory_import_apply(actor=actor, import_id=upload(sheet(GOOD[0], GOOD[1]), actor).pk)
    changed = (GOOD[1][0], "省级", "", 2017, "2021-06-30", "延期文件")
    job = upload(sheet(GOOD[0], changed, GOOD[2]), actor)
    assert [row["action"] for row in job.rows] == ["unchanged", "update", "create"]
    login_verified(client, actor)
    html = client.get(f"/directory/import/{job.pk}/").content.decode()
    assert 'data-testid="import-create"' in html and GOOD[2][0] in html
    assert 'data-testid="import-update"' in html and GOOD[1][0] in html
    assert "新增 1 条，更新 1 条，1 条不变" in html
    applied = services.directory_import_apply(actor=actor, import_id=job.pk)
    assert (applied.created, applied.updated) == (1, 1)  # the import does what the preview said


def test_the_import_api_checks_previews_and_applies():
    """The same flow as the page (issue 13): upload, read the preview, confirm."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from smevoucher.accounts.factories import city_unit_user

    api = APIClient()
    api.force_authenticate(city_unit_user("440100"))
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert (
        api.post("/api/v1/directory/import/", {"file": SimpleUploadedFile("a.xlsx", sheet(GOOD[0]), xlsx)}).status_code
        == 403
    )
    api.force_authenticate(province_user())
    response = api.post(
        "/api/v1/directory/import/",
        {"file": SimpleUploadedFile("名录.xlsx", sheet(*GOOD[:2]), xlsx)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    job = response.json()["id"]
    services.directory_import_check(import_id=job)  # the queued task (runs after commit)
    detail = api.get(f"/api/v1/directory/import/{job}/").json()
    assert detail["status"] == "ready" and detail["counts"] == {"create": 2, "update": 0, "unchanged": 0}
    assert [row["action"] for row in detail["rows"]] == ["create", "create"] and not Entry.objects.exists()
    applied = api.post(f"/api/v1/directory/import/{job}/apply/").json()
    assert applied["status"] == "done" and applied["created"] == 2 and Entry.objects.count() == 2
    assert api.get("/api/v1/directory/import/999999/").status_code == 404
