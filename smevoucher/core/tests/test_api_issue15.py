"""Issue 15 (API): page actions that were page-only — notice edit and withdraw, help contacts, e-mail
preferences, enterprise sign-up with its licence in one multipart call, the directory import's sheet list and
template, discarding a product's changes. Each: the permission, the rule, and a 400."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from smevoucher.accounts.factories import PASSWORD, city_unit_user, provider_user, province_user
from smevoucher.accounts.models import Organisation
from smevoucher.catalogue import services as catalogue
from smevoucher.catalogue.factories import draft_product, published_product
from smevoucher.core.models import AuditEvent
from smevoucher.enterprises.factories import licence_image, make_uscc
from smevoucher.enterprises.models import Enterprise
from smevoucher.notices import selectors as notice_selectors
from smevoucher.notices import services as notices
from smevoucher.notices.models import EmailPreference
from smevoucher.providers.factories import provider_user_of

pytestmark = pytest.mark.django_db


def api_as(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def notice():
    return notices.notice_publish(actor=city_unit_user(), category="batch", title="第一批公告", body="申领时间……")


def test_notice_patch_changes_only_what_is_sent_and_only_for_its_publisher(notice):
    publisher = api_as(city_unit_user())
    changed = publisher.patch(f"/api/v1/notices/{notice.pk}/", {"title": "第一批公告（更正）"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "第一批公告（更正）"
    assert changed.json()["body"] == "申领时间……"
    assert AuditEvent.objects.filter(action="notice.updated", object_id=str(notice.pk)).exists()
    assert api_as(city_unit_user("440300")).patch(f"/api/v1/notices/{notice.pk}/", {"title": "x"}).status_code == 404
    assert api_as(provider_user()).patch(f"/api/v1/notices/{notice.pk}/", {"title": "x"}).status_code == 403
    assert api_as().patch(f"/api/v1/notices/{notice.pk}/", {"title": "x"}).status_code in (401, 403)
    blank = publisher.patch(f"/api/v1/notices/{notice.pk}/", {"title": " ", "category": "nope"}, format="json")
    assert blank.status_code == 400 and {"category"} <= set(blank.json()["fields"])


def test_notice_withdraw_takes_it_off_the_board(notice):
    assert api_as(city_unit_user("440300")).post(f"/api/v1/notices/{notice.pk}/withdraw/").status_code == 404
    assert api_as(provider_user()).post(f"/api/v1/notices/{notice.pk}/withdraw/").status_code == 403
    done = api_as(city_unit_user()).post(f"/api/v1/notices/{notice.pk}/withdraw/")
    assert done.status_code == 200
    assert not notice_selectors.public_notices().filter(pk=notice.pk).exists()
    assert api_as().get(f"/api/v1/notices/{notice.pk}/").status_code == 404
    assert api_as(city_unit_user()).post(f"/api/v1/notices/{notice.pk}/withdraw/").status_code == 200  # twice


def test_help_contacts_are_public_and_each_unit_keeps_its_own():
    unit = city_unit_user()
    saved = api_as(unit).put("/api/v1/help-contacts/", {"contact_person": "李老师", "phone": "020-1"}, format="json")
    assert saved.status_code == 200 and saved.json()["contact_person"] == "李老师"
    listed = api_as().get("/api/v1/help-contacts/").json()
    assert {"id": unit.organisation_id, "contact_person": "李老师"}.items() <= next(
        row for row in listed if row["id"] == unit.organisation_id
    ).items()
    refused = api_as(unit).put("/api/v1/help-contacts/", {"contact_person": "李老师"}, format="json")
    assert refused.status_code == 400 and "email" in refused.json()["fields"]
    assert api_as(unit).put("/api/v1/help-contacts/", {"email": "not an e-mail"}, format="json").status_code == 400
    assert api_as(provider_user()).put("/api/v1/help-contacts/", {"phone": "1"}, format="json").status_code == 403
    assert Organisation.objects.get(pk=unit.organisation_id).phone == "020-1"


def test_email_preferences_read_and_set_for_the_caller_only():
    user = provider_user()
    me = api_as(user)
    assert set(me.get("/api/v1/me/preferences/").json()["groups"]) == set(EmailPreference.Group.values)
    saved = me.put("/api/v1/me/preferences/", {"groups": ["order"]}, format="json")
    assert saved.status_code == 200 and saved.json()["groups"] == ["order"]
    assert not EmailPreference.objects.get(user=user, group="reminder").email
    bad = me.put("/api/v1/me/preferences/", {"groups": ["spam"]}, format="json")
    assert bad.status_code == 400 and "groups" in bad.json()["fields"]
    assert api_as().get("/api/v1/me/preferences/").status_code in (401, 403)


def test_enterprise_sign_up_with_its_licence_in_one_multipart_call():
    data = {
        "name": "广州一步科技有限公司",
        "uscc": make_uscc(),
        "city": "440100",
        "size": "micro",
        "industry": "I",
        "legal_representative": "陈法人",
        "legal_rep_id_number": "11010519491231002X",
        "registered_address": "广州市越秀区一步路1号",
        "contact_name": "林联系",
        "contact_phone": "13800000000",
        "contact_email": "one@example.test",
        "username": "one_step",
        "password": PASSWORD,
    }
    licence = SimpleUploadedFile("营业执照.jpg", licence_image(), content_type="image/jpeg")
    created = APIClient().post("/api/v1/enterprises/", {**data, "licence": [licence]}, format="multipart")
    assert created.status_code == 201, created.content
    enterprise = Enterprise.objects.get(uscc=data["uscc"])
    assert enterprise.licence_id is not None and created.json()["licence"] == enterprise.licence_id
    not_a_file = APIClient().post(
        "/api/v1/enterprises/",
        {**data, "uscc": make_uscc(), "username": "two", "licence": [SimpleUploadedFile("a.jpg", b"plain text")]},
        format="multipart",
    )
    assert not_a_file.status_code == 400 and "licence" in not_a_file.json()["fields"]
    assert not Enterprise.objects.filter(organisation__users__username="two").exists()


def test_directory_import_lists_its_sheets_and_serves_the_template():
    keeper = api_as(province_user())
    template = keeper.get("/api/v1/directory/template.xlsx")
    assert template.status_code == 200 and template.content.startswith(b"PK")
    uploaded = keeper.post("/api/v1/directory/import/", {"file": SimpleUploadedFile("a.xlsx", template.content)})
    assert uploaded.status_code == 201
    assert [row["id"] for row in keeper.get("/api/v1/directory/import/").json()] == [uploaded.json()["id"]]
    assert keeper.post("/api/v1/directory/import/", {"file": SimpleUploadedFile("a.txt", b"x")}).status_code == 400
    assert api_as(city_unit_user()).get("/api/v1/directory/template.xlsx").status_code == 403
    assert api_as(city_unit_user()).get("/api/v1/directory/import/").status_code == 403


def test_discarding_a_products_changes_through_the_api():
    product = published_product()
    owner = provider_user_of(product.provider)
    catalogue.product_update(actor=owner, product_id=product.pk, name="试改")
    assert api_as(provider_user()).post(f"/api/v1/products/{product.pk}/discard-changes/").status_code == 404
    done = api_as(owner).post(f"/api/v1/products/{product.pk}/discard-changes/")
    assert done.status_code == 200
    assert list(product.revisions.values_list("number", "state")) == [(1, "approved")]
    draft = draft_product()
    refused = api_as(provider_user_of(draft.provider)).post(f"/api/v1/products/{draft.pk}/discard-changes/")
    assert refused.status_code == 409 and refused.json()["code"] == "nothing_to_go_back_to"
