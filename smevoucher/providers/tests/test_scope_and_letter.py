"""R2 service scope as a function other apps call, and the commitment letter PDF (R3) in Chinese."""

import io

import pytest
from pypdf import PdfReader

from smevoucher.accounts.factories import city, login_verified
from smevoucher.core.pdf import FONT_FAMILY, render_pdf
from smevoucher.directory.factories import directory_entry
from smevoucher.providers import selectors
from smevoucher.providers.factories import approved_provider, provider_user_of, register_provider

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("level", "entry_city", "serves"),
    [
        ("national", None, {"440100": True, "440300": True, "445300": True}),
        ("provincial", None, {"440100": True, "440300": True, "445300": True}),
        ("municipal", "440100", {"440100": True, "440300": False, "445300": False}),
        ("gz_station", "440100", {"440100": True, "440300": False, "445300": False}),
    ],
)
def test_service_scope_follows_the_level(level, entry_city, serves):
    provider = approved_provider(entry=directory_entry(level=level, city_code=entry_city))
    assert {code: selectors.may_serve(provider, city(code)) for code in serves} == serves


def test_a_provider_not_yet_approved_serves_nobody():
    provider = register_provider(level="national")
    assert not selectors.may_serve(provider, city("440100"))


def test_profile_shows_the_scope(client):
    provider = approved_provider(level="national")
    login_verified(client, provider_user_of(provider))
    page = client.get("/providers/mine/").content.decode()
    assert "全省各地市的中小微企业" in page


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_commitment_letter_is_chinese_prefilled_and_embeds_the_font():
    pdf = render_pdf("providers/commitment_letter_pdf.html", {"name": "广州市中小企业服务站（越秀站）", "year": 2027})
    text = _text(pdf)
    assert "服务机构承诺书" in text and "广州市中小企业服务站（越秀站）" in text and "法定代表人" in text
    fonts = [
        font.get_object() for page in PdfReader(io.BytesIO(pdf)).pages for font in page["/Resources"]["/Font"].values()
    ]
    assert any(FONT_FAMILY.replace(" ", "-") in str(font["/BaseFont"]) for font in fonts)
    descendant = fonts[0]["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert any(key in descendant for key in ("/FontFile", "/FontFile2", "/FontFile3"))  # embedded, not referenced


def test_commitment_letter_download_for_an_eligible_name_only(client):
    directory_entry(name="广东省承诺书测试平台")
    response = client.get("/providers/commitment-letter.pdf", {"name": "广东省承诺书测试平台"})
    assert response["Content-Type"] == "application/pdf" and "广东省承诺书测试平台" in _text(response.content)
    assert client.get("/providers/commitment-letter.pdf", {"name": "随便什么名字"}).status_code == 404


def test_pdf_templates_cannot_fetch_urls(settings, tmp_path):
    (tmp_path / "evil.html").write_text(
        '{% extends "pdf/base.html" %}{% block body %}<img src="http://127.0.0.1:9/x.png">测试{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    assert "测试" in _text(render_pdf("evil.html"))  # rendered without the image
