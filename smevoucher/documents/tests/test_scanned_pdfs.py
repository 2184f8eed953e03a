"""Issue 15 point 7: scanned pages of a PDF get the colour and resolution checks an image gets (R15)."""

import base64
import io

import img2pdf
import pytest
from PIL import Image
from rest_framework.test import APIClient

from smevoucher.accounts.factories import login_verified
from smevoucher.core.errors import ValidationFailed
from smevoucher.documents import services
from smevoucher.documents.models import Document
from smevoucher.documents.tests import corpus
from smevoucher.enterprises.factories import enterprise_user
from smevoucher.vouchers.factories import approved_enterprise

pytestmark = pytest.mark.django_db


def scanned_pdf(*images: bytes) -> bytes:
    """What a scanner saves: each page one picture, no text layer."""
    return img2pdf.convert(list(images))


def text_pdf_with_picture(picture: bytes) -> bytes:
    """A PDF made by a program: a text layer, with a grey picture filling most of the page."""
    from weasyprint import HTML

    src = "data:image/jpeg;base64," + base64.b64encode(picture).decode()
    html = f'<p>Invoice 0001 issued by the provider</p><img src="{src}" style="width:100%">'
    return HTML(string=html).write_pdf()


def upload(content: bytes, user=None):
    user = user or enterprise_user(approved_enterprise())
    return services.document_upload(actor=user, kind="invoice", files=[("scan.pdf", content)])


def refusal(content: bytes) -> str:
    with pytest.raises(ValidationFailed) as error:
        upload(content)
    return str(error.value)


def test_a_grey_scan_saved_as_pdf_is_refused_like_a_grey_image():
    assert "不是彩色" in refusal(scanned_pdf(corpus.colour_image("JPEG"), corpus.grey_scan()))


def test_a_low_resolution_scan_saved_as_pdf_is_refused():
    small = corpus.colour_image("JPEG", size=(400, 500))
    message = refusal(scanned_pdf(small))
    assert "第 1 页" in message and "400×500" in message


def test_a_colour_scan_saved_as_pdf_passes():
    document = upload(scanned_pdf(corpus.colour_image("JPEG"), corpus.colour_image("PNG", size=(900, 1200))))
    assert document.page_count == 2


def test_a_text_pdf_passes_even_with_a_grey_picture():
    grey = Image.open(io.BytesIO(corpus.grey_scan()))
    out = io.BytesIO()
    grey.save(out, "JPEG")
    assert upload(text_pdf_with_picture(out.getvalue())).page_count >= 1


def test_blank_pages_pass():
    assert upload(corpus.pdf((595, 842), (842, 595))).page_count == 2


def test_the_api_refuses_a_grey_scanned_pdf_with_a_400():
    user = enterprise_user(approved_enterprise())
    api = APIClient()
    login_verified(api, user)
    before = Document.objects.count()
    response = api.post(
        "/api/v1/documents/",
        {"kind": "invoice", "files": [io.BytesIO(scanned_pdf(corpus.grey_scan()))]},
        format="multipart",
    )
    assert response.status_code == 400 and "不是彩色" in response.json()["message"]
    assert Document.objects.count() == before


def test_the_api_replaces_a_document_and_keeps_the_old_version():
    user = enterprise_user(approved_enterprise())
    old = upload(corpus.pdf(), user=user)
    api = APIClient()
    login_verified(api, user)
    response = api.post(
        f"/api/v1/documents/{old.pk}/replace/",
        {"files": [io.BytesIO(scanned_pdf(corpus.colour_image("JPEG")))]},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["replaces"] == old.pk and response.json()["kind"] == old.kind
    again = api.post(f"/api/v1/documents/{old.pk}/replace/", {"files": [io.BytesIO(corpus.pdf())]}, format="multipart")
    assert again.status_code == 400 and "files" in again.json()["fields"]  # only the current version is replaced
    grey = api.post(
        f"/api/v1/documents/{response.json()['id']}/replace/",
        {"files": [io.BytesIO(scanned_pdf(corpus.grey_scan()))]},
        format="multipart",
    )
    assert grey.status_code == 400  # the same checks as an upload


def test_only_the_owner_replaces_a_document_through_the_api():
    old = upload(corpus.pdf())
    api = APIClient()
    login_verified(api, enterprise_user(approved_enterprise()))
    response = api.post(
        f"/api/v1/documents/{old.pk}/replace/", {"files": [io.BytesIO(corpus.pdf())]}, format="multipart"
    )
    assert response.status_code == 404


def test_a_long_scanned_pdf_is_not_held_to_the_merged_images_pixel_total():
    """12 A4 pages at 300 dpi are over 100 million pixels together; rendered one page at a time, small, they pass."""
    page = corpus.colour_image("JPEG", size=(2480, 3508))
    assert upload(scanned_pdf(*[page] * 12)).page_count == 12
