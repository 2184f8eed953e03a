import io

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from smevoucher.accounts.factories import UserFactory
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.documents import services
from smevoucher.documents.checks import FileRefused
from smevoucher.documents.models import Document, Part
from smevoucher.documents.tests import corpus

pytestmark = pytest.mark.django_db


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def page_sizes(document: Document) -> list[tuple[int, int]]:
    with default_storage.open(document.file.name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]


def test_merge_keeps_the_chosen_order(private_storage):
    user = UserFactory()
    jpeg = corpus.colour_image("JPEG", size=(800, 1000))
    png = corpus.colour_image("PNG", size=(900, 1200))
    two_pages = corpus.pdf((300, 400), (310, 410))
    document = services.document_upload(
        actor=user, kind="invoice", files=[("b.png", png), ("a.pdf", two_pages), ("c.jpg", jpeg)]
    )
    sizes = page_sizes(document)
    assert document.page_count == 4 and len(sizes) == 4
    assert sizes[1:3] == [(300, 400), (310, 410)]
    png_page, jpeg_page = sizes[0], sizes[3]
    assert png_page[0] / png_page[1] == pytest.approx(900 / 1200, rel=0.01)
    assert jpeg_page[0] / jpeg_page[1] == pytest.approx(800 / 1000, rel=0.01)
    assert [p.name for p in Part.objects.filter(document=document)] == ["b.png", "a.pdf", "c.jpg"]
    assert len(stored_files(private_storage)) == 1


def test_a_single_pdf_is_kept_byte_for_byte():
    content = corpus.pdf((595, 842), (595, 842))
    document = services.document_upload(actor=UserFactory(), kind="contract", files=[("contract.pdf", content)])
    with default_storage.open(document.file.name, "rb") as handle:
        assert handle.read() == content
    assert document.page_count == 2 and document.filename == "contract.pdf"
    assert AuditEvent.objects.filter(action="document.uploaded", object_id=str(document.pk)).exists()


BAD = [
    ("grey.jpg", corpus.grey_scan, "不是彩色"),
    ("tiny.png", corpus.tiny_image, "太小"),
    ("big.png", corpus.noise_png, "总大小不能超过"),
    ("setup.pdf", corpus.exe, "只接受 PDF、JPG 或 PNG"),
    ("page.pdf", corpus.html, "只接受 PDF、JPG 或 PNG"),
    ("archive.png", corpus.zip_file, "只接受 PDF、JPG 或 PNG"),
    ("cut.pdf", corpus.truncated_pdf, "已损坏或不完整"),
    ("locked.pdf", corpus.encrypted_pdf, "已加密"),
    ("script.pdf", corpus.javascript_pdf, "脚本"),
    ("launch.pdf", corpus.launch_pdf, "启动程序"),
    ("bomb.png", corpus.png_bomb, "像素过多"),
]


@pytest.mark.parametrize(("name", "make", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused_with_their_reason_and_nothing_is_left(private_storage, name, make, reason):
    user = UserFactory()
    events = AuditEvent.objects.count()
    good = ("good.jpg", corpus.colour_image("JPEG"))
    with pytest.raises(ValidationFailed) as error:
        services.document_upload(actor=user, kind="invoice", files=[good, (name, make())])
    message = " ".join(str(m) for m in error.value.fields["files"])
    assert name in message and reason in message, message
    assert (Document.objects.count(), Part.objects.count(), AuditEvent.objects.count()) == (0, 0, events)
    assert stored_files(private_storage) == []


def test_refusal_is_by_content_not_by_name():
    with pytest.raises(FileRefused):
        services.document_upload(actor=UserFactory(), kind="invoice", files=[("invoice.pdf", corpus.html())])
    document = services.document_upload(
        actor=UserFactory(), kind="invoice", files=[("scan.pdf", corpus.colour_image("PNG"))]
    )  # a PNG named .pdf is a PNG: accepted as one
    assert document.page_count == 1


def test_nothing_to_upload_and_unknown_kind_are_refused():
    user = UserFactory()
    with pytest.raises(ValidationFailed):
        services.document_upload(actor=user, kind="invoice", files=[])
    with pytest.raises(ValidationFailed):
        services.document_upload(actor=user, kind="nonsense", files=[("a.pdf", corpus.pdf())])
