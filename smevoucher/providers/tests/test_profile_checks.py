"""Issue 17 on the provider side: the telephone and the legal representative's ID number are checked wherever a
provider types them (registration, correction, change request), with the enterprises' messages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from smevoucher.accounts.factories import login_verified
from smevoucher.accounts.models import Organisation, User
from smevoucher.core import identity
from smevoucher.core.errors import ValidationFailed
from smevoucher.directory.factories import directory_entry
from smevoucher.documents.models import Document
from smevoucher.providers import services
from smevoucher.providers.factories import (
    approved_provider,
    letter_pdf,
    provider_user_of,
    register_provider,
    registration_data,
    reviewer_for,
)
from smevoucher.providers.models import ChangeRequest, Provider

pytestmark = pytest.mark.django_db

BAD_ID = "440101198013010010"  # no 13th month
GOOD_ID = "11010519491231002X"
BAD_PHONE = "020-1"
PHONE_WITH_EXTENSION = "020-66262690-914"
ID_MESSAGE = "请按证件准确填写 18 位居民身份证号（最后一位可能是 X），或护照、通行证号码。"
PHONE_MESSAGE = "请填写 11 位手机号码，或带区号的固定电话，如 020-12345678；分机号可写在“转”字之后。"


def counts():
    return (
        Provider.objects.count(),
        Organisation.objects.filter(kind="provider").count(),
        User.objects.count(),
        Document.objects.count(),
        ChangeRequest.objects.count(),
    )


# --- Registration ---------------------------------------------------------------------------------------------------


def test_registration_refuses_a_bad_phone_and_id_number_by_field_and_saves_nothing(private_storage):
    entry = directory_entry()
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        services.provider_register(**registration_data(entry.name, contact_phone=BAD_PHONE, legal_rep_id_number=BAD_ID))
    assert refused.value.fields == {"contact_phone": [PHONE_MESSAGE], "legal_rep_id_number": [ID_MESSAGE]}
    assert counts() == before
    assert not list(private_storage.rglob("*.*"))


def test_registration_accepts_a_landline_with_extension_and_a_valid_id_number():
    provider = register_provider(contact_phone=PHONE_WITH_EXTENSION, legal_rep_id_number=GOOD_ID)
    assert provider.contact_phone == PHONE_WITH_EXTENSION  # stored as typed
    assert (provider.legal_rep_id_last4, provider.legal_rep_id_hash) == ("002X", identity.id_number_hash(GOOD_ID))


def test_registration_leaves_the_id_number_optional():
    provider = register_provider(legal_rep_id_number="")
    assert (provider.legal_rep_id_last4, provider.legal_rep_id_hash) == ("", "")


def test_an_empty_phone_is_told_as_missing_not_as_malformed():
    with pytest.raises(ValidationFailed) as refused:
        register_provider(contact_phone="")
    assert refused.value.fields["contact_phone"] == ["请填写联系电话。"]


# --- Correction of a returned registration ---------------------------------------------------------------------------


def test_correction_refuses_a_bad_phone_and_id_number_and_changes_nothing():
    provider = register_provider(legal_rep_id_number=GOOD_ID)
    services.provider_return(actor=reviewer_for(provider), provider_id=provider.pk, reason="联系电话有误")
    with pytest.raises(ValidationFailed) as refused:
        services.provider_submit(
            actor=provider_user_of(provider),
            provider_id=provider.pk,
            changes={"contact_phone": "12345", "legal_rep_id_number": "440101"},
        )
    assert set(refused.value.fields) == {"contact_phone", "legal_rep_id_number"}
    provider.refresh_from_db()
    assert (provider.status, provider.contact_phone, provider.legal_rep_id_last4) == (
        "returned",
        "020-87654321",
        "002X",
    )
    services.provider_submit(
        actor=provider_user_of(provider),
        provider_id=provider.pk,
        changes={"contact_phone": "66262690-914", "legal_rep_id_number": "E12345678"},
    )
    provider.refresh_from_db()
    assert (provider.status, provider.contact_phone, provider.legal_rep_id_last4) == (
        "submitted",
        "66262690-914",
        "5678",
    )


# --- Change requests -----------------------------------------------------------------------------------------------


def ask(provider, **changes):
    return services.change_request_submit(
        actor=provider_user_of(provider),
        provider_id=provider.pk,
        proof_files=[("营业执照副本.pdf", letter_pdf())],
        **changes,
    )


def test_change_request_refuses_a_bad_phone_and_id_number_by_field_and_saves_nothing(private_storage):
    provider = approved_provider()
    before, stored = counts(), sorted(private_storage.rglob("*.*"))
    with pytest.raises(ValidationFailed) as refused:
        ask(provider, new_contact_phone="12345", new_legal_rep_id_number=BAD_ID, new_contact_name="新联系人")
    assert refused.value.fields == {"new_contact_phone": [PHONE_MESSAGE], "new_legal_rep_id_number": [ID_MESSAGE]}
    assert counts() == before
    assert sorted(private_storage.rglob("*.*")) == stored  # the proof stored before the refusal is removed


def test_change_request_accepts_a_landline_with_extension_and_a_valid_id_number():
    provider = approved_provider()
    change = ask(provider, new_contact_phone=PHONE_WITH_EXTENSION, new_legal_rep_id_number=GOOD_ID)
    assert (change.new_contact_phone, change.new_legal_rep_id_last4) == (PHONE_WITH_EXTENSION, "002X")
    assert change.new_legal_rep_id_hash == identity.id_number_hash(GOOD_ID)


def test_the_change_request_api_names_the_refused_field():
    provider = approved_provider()
    api = APIClient()
    api.force_authenticate(provider_user_of(provider))
    response = api.post(
        f"/api/v1/providers/{provider.pk}/change-requests/",
        {
            "new_contact_phone": "abc",
            "proof": [SimpleUploadedFile("证明.pdf", letter_pdf(), content_type="application/pdf")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]
    assert body["fields"] == {"new_contact_phone": [PHONE_MESSAGE]}
    assert not ChangeRequest.objects.exists()


def test_the_change_request_page_tells_the_message_beside_the_field(client):
    provider = approved_provider(entry=directory_entry(level="gz_station"))
    login_verified(client, provider_user_of(provider))
    page = client.post(
        "/providers/changes/new/",
        {
            "new_legal_rep_id_number": BAD_ID,
            "proof": SimpleUploadedFile("证明.pdf", letter_pdf(), content_type="application/pdf"),
        },
    ).content.decode()
    assert ID_MESSAGE in page and "data-error-summary" in page
    assert not ChangeRequest.objects.exists()
