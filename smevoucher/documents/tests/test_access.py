import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import (
    OrganisationFactory,
    UserFactory,
    city,
    city_unit_user,
    login_verified,
    provider_user,
    province_user,
)
from smevoucher.documents import services
from smevoucher.documents.models import Document, Finding
from smevoucher.documents.selectors import findings_for
from smevoucher.documents.tests import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def gz_document():
    owner = UserFactory(organisation=OrganisationFactory(kind="enterprise", city=city("440100")))
    return services.document_upload(actor=owner, kind="invoice", files=[("发票.pdf", corpus.pdf())])


def owner_of(document):
    return document.organisation.users.get()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("gz_unit", 200), ("province", 200), ("sz_unit", 404), ("other_org", 404), ("provider", 404)],
)
def test_download_page_and_api_permissions(client, gz_document, who, expected):
    user = {
        "owner": lambda: owner_of(gz_document),
        "gz_unit": lambda: city_unit_user("440100"),
        "province": province_user,
        "sz_unit": lambda: city_unit_user("440300"),
        "other_org": lambda: UserFactory(organisation=OrganisationFactory(kind="enterprise", city=city("440100"))),
        "provider": provider_user,
    }[who]()
    login_verified(client, user)
    for url in [
        f"/documents/{gz_document.pk}/download/",
        f"/documents/{gz_document.pk}/preview/",
        f"/documents/{gz_document.pk}/",
    ]:
        assert client.get(url).status_code == expected, url
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/documents/{gz_document.pk}/download/").status_code == expected
    assert api.get(f"/api/v1/documents/{gz_document.pk}/").status_code == expected


def test_anonymous_gets_nothing(client, gz_document):
    response = client.get(f"/documents/{gz_document.pk}/download/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert APIClient().get(f"/api/v1/documents/{gz_document.pk}/download/").status_code in (401, 403)


def test_download_headers(client, gz_document):
    login_verified(client, owner_of(gz_document))
    response = client.get(f"/documents/{gz_document.pk}/download/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "filename" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    inline = client.get(f"/documents/{gz_document.pk}/preview/")
    assert inline["Content-Disposition"].startswith("inline;")


def test_sharing_lets_another_organisation_read(client, gz_document):
    provider = provider_user()
    services.document_share(document=gz_document, organisations=[provider.organisation])
    login_verified(client, provider)
    assert client.get(f"/documents/{gz_document.pk}/download/").status_code == 200


def test_files_are_not_under_any_public_url(client, gz_document):
    assert client.get(f"/static/{gz_document.file.name}").status_code == 404
    assert client.get(f"/media/{gz_document.file.name}").status_code == 404


def test_replacing_keeps_the_old_version(client, gz_document):
    owner = owner_of(gz_document)
    new = services.document_replace(actor=owner, document_id=gz_document.pk, files=[("v2.pdf", corpus.pdf((300, 300)))])
    gz_document.refresh_from_db()
    assert new.replaces == gz_document and not gz_document.is_current and new.is_current
    assert Document.objects.count() == 2
    login_verified(client, owner)
    assert client.get(f"/documents/{gz_document.pk}/download/").status_code == 200
    with pytest.raises(Exception):  # noqa: B017 - a replaced version cannot be replaced again
        services.document_replace(actor=owner, document_id=gz_document.pk, files=[("v3.pdf", corpus.pdf())])


def test_only_the_owner_replaces(gz_document):
    with pytest.raises(Exception) as error:
        services.document_replace(
            actor=city_unit_user("440100"), document_id=gz_document.pk, files=[("x.pdf", corpus.pdf())]
        )
    assert error.typename == "Http404"


def test_same_file_from_another_organisation_is_a_finding_not_a_refusal(gz_document):
    other = UserFactory(organisation=OrganisationFactory(kind="enterprise", city=city("440300")))
    copy = services.document_upload(actor=other, kind="invoice", files=[("copy.pdf", corpus.pdf())])
    assert Finding.objects.filter(document=copy, other_document=gz_document, reason="other_organisation").exists()
    assert gz_document.organisation.name in findings_for(copy, viewer=city_unit_user("440300"))[0]


def test_the_uploader_learns_nothing_of_other_organisations_files(client, gz_document):
    """Issue 14: "相同的文件也由 <另一家企业> 上传过" told the uploader who else holds the file."""
    uploader = UserFactory(organisation=OrganisationFactory(kind="enterprise", city=city("440300")))
    copy = services.document_upload(actor=uploader, kind="invoice", files=[("copy.pdf", corpus.pdf())])
    other_name = gz_document.organisation.name
    assert findings_for(copy, viewer=uploader) == []
    assert findings_for(copy, viewer=city_unit_user("440100")) == []  # not the uploader's unit either
    api = APIClient()
    api.force_authenticate(uploader)
    for url in (f"/api/v1/documents/{copy.pk}/",):
        body = api.get(url).json()
        assert body["findings"] == [] and other_name not in str(body)
    client.force_login(uploader)
    page = client.get(f"/documents/{copy.pk}/").content.decode()
    assert other_name not in page and 'data-testid="findings"' not in page
    reviewer = city_unit_user("440300")
    login_verified(client, reviewer)
    assert other_name in client.get(f"/documents/{copy.pk}/").content.decode()


def test_same_photo_inside_different_merged_materials_is_found():
    photo = corpus.colour_image("JPEG")
    first = services.document_upload(actor=UserFactory(), kind="invoice", files=[("a.jpg", photo)])
    second = services.document_upload(
        actor=UserFactory(), kind="invoice", files=[("cover.pdf", corpus.pdf()), ("a-again.jpg", photo)]
    )
    assert Finding.objects.filter(document=second, other_document=first).exists()


def test_same_file_used_for_two_objects_of_one_type_is_a_finding(gz_document):
    owner = owner_of(gz_document)
    order_a, order_b = UserFactory(), UserFactory()  # stand-ins for two orders: any two objects of one type
    services.document_use(document=gz_document, obj=order_a, role="invoice")
    again = services.document_upload(actor=owner, kind="invoice", files=[("same.pdf", corpus.pdf())])
    services.document_use(document=again, obj=order_b, role="invoice")
    finding = Finding.objects.get(document=again, reason="other_object")
    assert (finding.object_id, finding.other_object_id) == (str(order_b.pk), str(order_a.pk))
    assert str(order_a.pk) in findings_for(again, viewer=province_user())[0]
    assert findings_for(again, viewer=owner) == []


def test_upload_api(client):
    user = UserFactory()
    api = APIClient()
    api.force_authenticate(user)
    files = [
        corpus_upload("b.png", corpus.colour_image("PNG")),
        corpus_upload("a.pdf", corpus.pdf((300, 400), (300, 400))),
    ]
    response = api.post("/api/v1/documents/", {"kind": "contract", "files": files}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["page_count"] == 3 and len(response.json()["sha256"]) == 64
    bad = api.post(
        "/api/v1/documents/", {"kind": "contract", "files": [corpus_upload("x.pdf", corpus.html())]}, format="multipart"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "file_refused" and "x.pdf" in bad.json()["message"]


def corpus_upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
