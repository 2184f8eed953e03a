"""Issue 14: costly uploads (budgets, daily volume, peak memory), active PDF content, sandboxed previews."""

import json
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from smevoucher.accounts.factories import OrganisationFactory, UserFactory, city, login_verified
from smevoucher.core.errors import ValidationFailed
from smevoucher.documents import checks, services
from smevoucher.documents.models import Document, UploadDay
from smevoucher.documents.tests import corpus
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.vouchers.factories import approved_enterprise

pytestmark = pytest.mark.django_db


def pending_enterprise_user():
    return UserFactory(organisation=OrganisationFactory(kind="enterprise", city=city("440100")))


def refusal(files, user=None) -> str:
    with pytest.raises(ValidationFailed) as error:
        services.document_upload(actor=user or pending_enterprise_user(), kind="invoice", files=files)
    return str(error.value)


# --- budgets --------------------------------------------------------------------------------------------------


def test_ten_7700_pixel_pngs_are_refused_from_their_headers():
    png = corpus.high_pixel_png(7700)
    assert len(png) < 300_000
    files = [(f"扫描{i}.png", png) for i in range(10)]
    message = refusal(files)
    assert "扫描0.png" in message and "7700×7700" in message
    assert not Document.objects.exists()


def test_the_images_of_one_material_share_a_pixel_budget(settings):
    settings.DOCUMENTS_MAX_MATERIAL_PIXELS = 3_000_000
    image = corpus.colourful_png(1200, 1000)  # 1.2 megapixels each: the third passes the material's budget
    message = refusal([("第1页.png", image), ("第2页.png", image), ("第3页.png", image)])
    assert "第3页.png" in message and "3" in message


def test_a_pdf_with_95000_objects_is_refused_before_its_objects_are_read():
    content = corpus.many_objects_pdf(95_000)
    assert len(content) <= settings.DOCUMENTS_MAX_BYTES
    message = refusal([("目录.pdf", content)])
    assert "目录.pdf" in message and "95001" in message


def test_a_pdf_whose_streams_expand_past_pypdfs_limit_is_a_refusal_not_a_500():
    message = refusal([("膨胀.pdf", corpus.expanding_pdf())])
    assert "膨胀.pdf" in message


def test_the_api_answers_400_for_an_expanding_pdf():
    api = APIClient()
    api.force_authenticate(enterprise_user(approved_enterprise()))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        "/api/v1/documents/",
        {"kind": "invoice", "files": [SimpleUploadedFile("膨胀.pdf", corpus.expanding_pdf())]},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "file_refused"


def test_a_material_has_a_page_budget(settings):
    settings.DOCUMENTS_MAX_PAGES = 3
    message = refusal([("a.pdf", corpus.pdf((300, 400), (300, 400))), ("b.pdf", corpus.pdf((300, 400), (300, 400)))])
    assert "b.pdf" in message


def test_checking_has_a_time_budget(settings):
    settings.DOCUMENTS_CHECK_SECONDS = -1  # already spent: the first check that looks at the clock refuses
    message = refusal([("a.png", corpus.colour_image("PNG"))])
    assert "a.png" in message


PEAK_SCRIPT = textwrap.dedent(
    """
    import json, os, resource, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smevoucher.settings")
    import django
    django.setup()
    from smevoucher.core.errors import ValidationFailed
    from smevoucher.documents import checks, services
    files = [(name, open(path, "rb").read()) for name, path in json.loads(sys.argv[1])]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        budget = checks.Budget()
        services.merge(services._check_all(files, budget), budget)
        outcome = "accepted"
    except ValidationFailed:
        outcome = "refused"
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": outcome, "peak_growth_mb": (after - before) / 1024}))
    """
)


def peak_growth(tmp_path, files) -> dict:
    """Check and merge one material in a fresh interpreter and measure how much its peak memory grew."""
    paths = []
    for index, (name, content) in enumerate(files):
        path = tmp_path / f"{index}.bin"
        path.write_bytes(content)
        paths.append((name, str(path)))
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", PEAK_SCRIPT, json.dumps(paths)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=settings.BASE_DIR,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


PEAK_BOUND_MB = 250  # measured: +66 MB for the material at the budget, +0 MB for the refused attack


def test_peak_memory_of_one_upload_is_bounded(tmp_path):
    """The issue's ten 7700×7700 PNGs cost +450 MB; now they are refused from their headers. A material at the
    budget (four 25-megapixel colour scans) is checked and merged within the bound."""
    attack = peak_growth(tmp_path, [(f"{i}.png", corpus.high_pixel_png(7700)) for i in range(10)])
    assert attack["outcome"] == "refused" and attack["peak_growth_mb"] < 50, attack
    scan = corpus.colourful_png(5000, 5000)
    at_budget = peak_growth(tmp_path, [(f"{i}.png", scan) for i in range(4)])
    assert at_budget["outcome"] == "accepted" and at_budget["peak_growth_mb"] < PEAK_BOUND_MB, at_budget


# --- daily volume -----------------------------------------------------------------------------------------------


def test_a_pending_organisation_may_upload_far_less_per_day(settings):
    settings.DOCUMENTS_DAILY_MATERIALS_PENDING = 2
    pending = pending_enterprise_user()
    for i in range(2):
        services.document_upload(actor=pending, kind="invoice", files=[(f"{i}.pdf", corpus.pdf((300 + i, 400)))])
    message = refusal([("third.pdf", corpus.pdf((350, 400)))], user=pending)
    assert "2" in message
    approved = enterprise_user(approved_enterprise())  # its licence was uploaded today already
    used = UploadDay.objects.get(organisation=approved.organisation).materials
    settings.DOCUMENTS_DAILY_MATERIALS = used + 5
    for i in range(5):
        services.document_upload(actor=approved, kind="invoice", files=[(f"{i}.pdf", corpus.pdf((300 + i, 400)))])
    with pytest.raises(ValidationFailed) as error:
        services.document_upload(actor=approved, kind="invoice", files=[("x.pdf", corpus.pdf((360, 400)))])
    assert error.value.code == "daily_upload_limit"
    assert UploadDay.objects.get(organisation=approved.organisation).materials == used + 5


def test_the_daily_volume_counts_bytes_too(settings):
    pending = pending_enterprise_user()
    content = corpus.pdf((300, 400))
    settings.DOCUMENTS_DAILY_BYTES_PENDING = len(content) * 2 - 1
    services.document_upload(actor=pending, kind="invoice", files=[("a.pdf", content)])
    refusal([("b.pdf", corpus.pdf((301, 400)))], user=pending)
    assert Document.objects.filter(organisation=pending.organisation).count() == 1


def test_a_refused_upload_does_not_count(settings):
    settings.DOCUMENTS_DAILY_MATERIALS_PENDING = 1
    pending = pending_enterprise_user()
    refusal([("bad.pdf", corpus.javascript_pdf())], user=pending)
    services.document_upload(actor=pending, kind="invoice", files=[("good.pdf", corpus.pdf())])


# --- active PDF content -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (corpus.xfa_pdf, "XFA"),
        (corpus.embedded_file_pdf, "嵌入文件"),
        (corpus.file_attachment_annotation_pdf, "嵌入文件"),
        (corpus.uri_link_pdf, "链接"),
        (corpus.remote_goto_pdf, "链接"),
        (corpus.submit_form_pdf, "表单动作"),
        (corpus.javascript_pdf, "脚本"),
        (corpus.launch_pdf, "启动程序"),
    ],
)
def test_active_pdf_content_is_refused_with_its_reason(make, words):
    with pytest.raises(checks.FileRefused) as error:
        checks.inspect("材料.pdf", make())
    assert "材料.pdf" in str(error.value) and words in str(error.value)


def test_the_reason_is_shown_on_the_upload_page(client):
    user = enterprise_user(approved_enterprise())
    login_verified(client, user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/documents/upload/", {"kind": "invoice", "files": [SimpleUploadedFile("带链接.pdf", corpus.uri_link_pdf())]}
    )
    page = response.content.decode()
    assert "带链接.pdf" in page and "链接" in page.split("带链接.pdf", 1)[1][:200]
    assert not Document.objects.filter(parts__name="带链接.pdf").exists()


def test_previews_and_downloads_are_sandboxed(client):
    user = enterprise_user(approved_enterprise())
    document = services.document_upload(actor=user, kind="invoice", files=[("a.pdf", corpus.pdf())])
    login_verified(client, user)
    for url in (f"/documents/{document.pk}/preview/", f"/documents/{document.pk}/download/"):
        assert client.get(url)["Content-Security-Policy"] == "sandbox", url
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/documents/{document.pk}/download/")["Content-Security-Policy"] == "sandbox"
