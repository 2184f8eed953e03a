import feedparser
import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city, city_unit_user, login_verified, provider_user, province_user
from smevoucher.documents.services import document_upload
from smevoucher.documents.tests import corpus
from smevoucher.notices import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    gz, sz = city_unit_user("440100"), city_unit_user("440300")
    return {
        "gz": services.notice_publish(actor=gz, category="batch", title="广州市第一批服务券公告", body="申领时间……"),
        "sz": services.notice_publish(actor=sz, category="allocation", title="深圳市发放结果", body="名单……"),
        "province": services.notice_publish(actor=province_user(), category="policy", title="全省政策", body="……"),
        "gz_unit": gz,
    }


def test_filter_by_city_shows_that_city_and_province_wide(client, board):
    page = client.get("/notices/", {"city": "440100"}).content.decode()
    assert "广州市第一批服务券公告" in page and "全省政策" in page and "深圳市发放结果" not in page


def test_filter_by_category_and_text(client, board):
    page = client.get("/notices/", {"category": "allocation"}).content.decode()
    assert "深圳市发放结果" in page and "广州市第一批" not in page
    assert "全省政策" in client.get("/notices/", {"q": "政策"}).content.decode()


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_are_valid(client, board, kind):
    response = client.get(f"/notices/feed/{kind}/", {"city": "440300"})
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    titles = [entry.title for entry in feed.entries]
    assert titles and set(titles) == {"深圳市发放结果", "全省政策"}
    assert all(
        (entry.link.startswith("http") and entry.get("published")) or entry.get("updated") for entry in feed.entries
    )


def test_a_public_notices_attachment_is_public_and_nothing_else(client, board):
    unit = board["gz_unit"]
    attachment = document_upload(actor=unit, kind="notice_attachment", files=[("名单.pdf", corpus.pdf())])
    private = document_upload(actor=unit, kind="other", files=[("内部.pdf", corpus.pdf((300, 300)))])
    services.notice_attach(actor=unit, notice_id=board["gz"].pk, document=attachment)
    assert client.get(f"/notices/{board['gz'].pk}/attachments/{attachment.pk}/").status_code == 200
    assert client.get(f"/notices/{board['gz'].pk}/attachments/{private.pk}/").status_code == 404
    assert client.get(f"/documents/{attachment.pk}/download/").status_code == 302  # the material itself stays private
    api = APIClient()
    assert api.get(f"/api/v1/notices/{board['gz'].pk}/attachments/{attachment.pk}/").status_code == 200
    services.notice_withdraw(actor=unit, notice_id=board["gz"].pk)
    assert client.get(f"/notices/{board['gz'].pk}/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize(("who", "expected"), [("gz_unit", 200), ("province", 200), ("provider", 403)])
def test_manage_pages(client, board, who, expected):
    user = {"gz_unit": lambda: board["gz_unit"], "province": province_user, "provider": provider_user}[who]()
    login_verified(client, user)
    assert client.get("/notices/manage/").status_code == expected
    assert client.get("/notices/manage/new/").status_code == expected


def test_city_unit_cannot_edit_another_citys_notice(client, board):
    login_verified(client, city_unit_user("440300"))
    assert client.get(f"/notices/manage/{board['gz'].pk}/").status_code == 404
    assert client.post(f"/notices/manage/{board['gz'].pk}/withdraw/").status_code == 404


def test_city_unit_publishes_through_the_page(client):
    login_verified(client, city_unit_user("440100"))
    response = client.post(
        "/notices/manage/new/", {"category": "batch", "title": "页面发布", "body": "正文"}, follow=True
    )
    assert "页面发布" in response.content.decode()
    assert response.context["notice"].city == city("440100")


def test_api_lists_and_publishes(board):
    api = APIClient()
    listed = api.get("/api/v1/notices/", {"city": "440100"}).json()["results"]
    assert {n["title"] for n in listed} == {"广州市第一批服务券公告", "全省政策"}
    api.force_authenticate(board["gz_unit"])
    created = api.post("/api/v1/notices/", {"category": "other", "title": "API 通知", "body": "b"}, format="json")
    assert created.status_code == 201 and created.json()["city"] == "440100"
    refused = api.post(
        "/api/v1/notices/", {"category": "other", "title": "t", "body": "b", "city": "440300"}, format="json"
    )
    assert refused.status_code == 400 and "city" in refused.json()["fields"]
    api.force_authenticate(provider_user())
    assert (
        api.post("/api/v1/notices/", {"category": "other", "title": "t", "body": "b"}, format="json").status_code == 403
    )


def test_help_centre_lists_unit_contacts_which_each_unit_edits(client):
    unit = city_unit_user("440100")
    login_verified(client, unit)
    client.post("/help/contacts/", {"contact_person": "何锦贤", "email": "gz@example.test", "phone": "66262690-914"})
    page = client.get("/help/").content.decode()
    assert "何锦贤" in page and "66262690-914" in page
    assert client.get("/help/guide/provider/").status_code == 200
    assert client.get("/help/guide/nobody/").status_code == 404


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_carry_notice_bodies_as_text_never_as_live_html(client, kind):
    """Issue 14: a reader renders the description as HTML; a link in a body must reach it as visible text."""
    from xml.etree import ElementTree

    body = '请看<a href="javascript:alert(document.cookie)">附件</a><script>alert(1)</script>\n第二段'
    services.notice_publish(actor=province_user(), category="policy", title="含链接的通知", body=body)
    xml = ElementTree.fromstring(client.get(f"/notices/feed/{kind}/").content)  # noqa: S314 (our own feed)
    texts = [
        element.text or ""
        for element in xml.iter()
        if element.tag.rsplit("}", 1)[-1] in {"description", "summary"} and "附件" in (element.text or "")
    ]
    assert len(texts) == 1
    description = texts[0]  # what the reader gets after XML decoding, and renders as HTML
    assert "<a" not in description and "<script" not in description and "javascript:" in description
    assert "&lt;a href=" in description and "<p>" in description  # shown as the text it is, paragraphs kept
