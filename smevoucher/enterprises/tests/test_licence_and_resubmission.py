"""R0 additions: the business licence on sign-up, the queue showing it, correction and resubmission, and the
guard later steps (claims, orders) call."""

import pytest
from rest_framework.test import APIClient

from smevoucher.accounts.factories import city_unit_user, login_verified
from smevoucher.core.errors import Conflict, DomainError, ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.documents.tests import corpus
from smevoucher.enterprises import services
from smevoucher.enterprises.factories import enterprise_user, licence_image, sign_up_enterprise
from smevoucher.enterprises.models import Enterprise
from smevoucher.notices.models import Notification

pytestmark = pytest.mark.django_db


def test_sign_up_stores_the_licence_as_a_private_material():
    enterprise = sign_up_enterprise()
    assert enterprise.licence.kind == "business_licence"
    assert enterprise.licence.organisation == enterprise.organisation and enterprise.licence.page_count == 1


def test_a_bad_licence_file_is_refused_and_nothing_is_saved():
    before = Enterprise.objects.count()
    with pytest.raises(ValidationFailed) as error:
        sign_up_enterprise(licence_files=[("执照.jpg", corpus.grey_scan())])
    assert "执照.jpg" in error.value.fields["licence"][0]
    assert Enterprise.objects.count() == before


def test_no_approval_without_a_licence():
    enterprise = sign_up_enterprise(licence_files=None)
    with pytest.raises(ValidationFailed):
        services.enterprise_approve(actor=city_unit_user("440100"), enterprise_id=enterprise.pk)
    services.enterprise_resubmit(
        actor=enterprise_user(enterprise), enterprise_id=enterprise.pk, licence_files=[("照.jpg", licence_image())]
    )
    services.enterprise_approve(actor=city_unit_user("440100"), enterprise_id=enterprise.pk)


def test_returned_enterprise_corrects_and_resubmits_and_its_unit_is_told():
    enterprise = sign_up_enterprise()
    unit = city_unit_user("440100")
    services.enterprise_return(actor=unit, enterprise_id=enterprise.pk, reason="营业执照不清晰，法定代表人有误")
    with pytest.raises(Conflict):
        services.enterprise_approve(actor=unit, enterprise_id=enterprise.pk)
    old_licence = enterprise.licence_id
    services.enterprise_resubmit(
        actor=enterprise_user(enterprise),
        enterprise_id=enterprise.pk,
        changes={"legal_representative": "李正确", "uscc": "ignored"},
        licence_files=[("清晰执照.png", corpus.colour_image("PNG"))],
    )
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.legal_representative) == ("pending", "李正确")
    assert enterprise.licence.replaces_id == old_licence
    assert Notification.objects.filter(user=unit, event="enterprise.resubmitted").exists()
    assert AuditEvent.objects.filter(action="enterprise.resubmitted").exists()
    services.enterprise_approve(actor=unit, enterprise_id=enterprise.pk)


def test_another_city_unit_cannot_see_the_licence(client):
    enterprise = sign_up_enterprise(city_code="440100")
    login_verified(client, city_unit_user("440300"))
    assert client.get(f"/documents/{enterprise.licence_id}/preview/").status_code == 404
    login_verified(client, city_unit_user("440100"))
    page = client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert f"/documents/{enterprise.licence_id}/preview/" in page  # the licence beside the data
    assert client.get(f"/documents/{enterprise.licence_id}/preview/")["X-Frame-Options"] == "SAMEORIGIN"


def test_the_queue_lists_pending_enterprises_first(client):
    approved = sign_up_enterprise(name="甲已审核有限公司")
    services.enterprise_approve(actor=city_unit_user("440100"), enterprise_id=approved.pk)
    pending = sign_up_enterprise(name="乙待审核有限公司")
    login_verified(client, city_unit_user("440100"))
    rows = list(client.get("/enterprises/").context["page"])
    assert rows.index(pending) < rows.index(approved)


@pytest.mark.parametrize(("status", "phrase"), [("pending", "等待"), ("returned", "退回")])
def test_require_approved_refuses_unapproved_enterprises_with_a_clear_message(status, phrase):
    enterprise = sign_up_enterprise()
    if status == "returned":
        services.enterprise_return(actor=city_unit_user("440100"), enterprise_id=enterprise.pk, reason="补正")
        enterprise.refresh_from_db()
    with pytest.raises(DomainError) as error:
        services.require_approved(enterprise)
    assert error.value.code == "enterprise_not_approved" and phrase in str(error.value)


def test_require_approved_lets_an_approved_enterprise_through():
    enterprise = sign_up_enterprise()
    services.enterprise_approve(actor=city_unit_user("440100"), enterprise_id=enterprise.pk)
    enterprise.refresh_from_db()
    assert services.require_approved(enterprise) == enterprise


def test_home_page_shows_the_reasons_and_accepts_the_correction(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    enterprise = sign_up_enterprise()
    services.enterprise_return(actor=city_unit_user("440100"), enterprise_id=enterprise.pk, reason="请上传清晰执照")
    login_verified(client, enterprise_user(enterprise))
    page = client.get("/enterprises/mine/").content.decode()
    assert "请上传清晰执照" in page and "重新提交" in page
    form = {
        "name": enterprise.name,
        "size": "small",
        "industry": "C",
        "legal_representative": "王法人",
        "contact_name": "赵联系",
        "contact_phone": "020-11112222",
        "contact_email": "z@example.test",
        "licence": SimpleUploadedFile("新执照.jpg", licence_image(), content_type="image/jpeg"),
    }
    client.post("/enterprises/mine/", form)
    enterprise.refresh_from_db()
    assert enterprise.status == "pending" and enterprise.contact_phone == "020-11112222"


def test_licence_upload_through_the_api():
    enterprise = sign_up_enterprise(licence_files=None)
    api = APIClient()
    api.force_authenticate(enterprise_user(enterprise))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        f"/api/v1/enterprises/{enterprise.pk}/submit/",
        {"licence": [SimpleUploadedFile("照.jpg", licence_image(), content_type="image/jpeg")]},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["licence"]
    api.force_authenticate(city_unit_user("440300"))
    assert api.post(f"/api/v1/enterprises/{enterprise.pk}/submit/", {}, format="json").status_code == 404


def test_a_refused_correction_keeps_the_new_licence_and_it_replaces_the_old_on_resubmit(client):
    """Issue 13 (1): the licence chosen on a refused form is kept as a pending document and used as the new version."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from smevoucher.documents.models import Document

    enterprise = sign_up_enterprise()
    old = enterprise.licence
    services.enterprise_return(actor=city_unit_user("440100"), enterprise_id=enterprise.pk, reason="请上传清晰执照")
    login_verified(client, enterprise_user(enterprise))
    form = {
        "name": enterprise.name,
        "size": "small",
        "industry": "C",
        "legal_representative": "王法人",
        "contact_name": "赵联系",
        "contact_phone": "020-11112222",
        "contact_email": "不是邮箱",
        "licence": SimpleUploadedFile("新执照.jpg", licence_image(), content_type="image/jpeg"),
    }
    refused = client.post("/enterprises/mine/", form).content.decode()
    kept = re.search(r'name="licence__kept" value="(\d+)"', refused).group(1)
    assert 'href="#id_contact_email"' in refused
    form.update(contact_email="z@example.test", licence__kept=kept)
    del form["licence"]
    before = Document.objects.count()
    client.post("/enterprises/mine/", form)
    enterprise.refresh_from_db()
    assert enterprise.status == "pending" and enterprise.licence_id == int(kept) and Document.objects.count() == before
    assert enterprise.licence.replaces == old
