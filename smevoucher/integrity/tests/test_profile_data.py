"""The profile data the signals compare: captured at registration as matching keys, and after approval changed
only through a change request that the reviewing unit applies (issue 17)."""

import pytest

from smevoucher.accounts.factories import city_unit_user
from smevoucher.core import identity
from smevoucher.directory.factories import directory_entry
from smevoucher.providers import services
from smevoucher.providers.factories import approved_provider, letter_pdf, provider_user_of
from smevoucher.providers.models import ChangeRequest

pytestmark = pytest.mark.django_db

ID_NUMBER = "44010419800101123X"


def test_a_change_request_changes_the_bank_account_and_legal_representative_and_their_keys():
    provider = approved_provider(entry=directory_entry(level="gz_station"))
    change = services.change_request_submit(
        actor=provider_user_of(provider),
        provider_id=provider.pk,
        proof_files=[("授权书.pdf", letter_pdf())],
        new_bank_account="6222 0000 1111 2222",
        new_legal_representative="王五",
        new_legal_rep_id_number=ID_NUMBER,
        new_address="广东省广州市越秀区中山路８号 1201室",
    )
    stored = ChangeRequest.objects.filter(pk=change.pk).values().get()
    assert ID_NUMBER not in str(stored)  # the ID number itself is never kept
    assert ("法人身份证号", "", "****123X") in [tuple(map(str, row)) for row in change.changes()]
    services.change_request_apply(actor=city_unit_user("440100"), request_id=change.pk, reply="已核对")
    provider.refresh_from_db()
    assert provider.bank_account == "6222000011112222" and provider.bank_account_key == "6222000011112222"
    assert provider.legal_rep_id_hash == identity.id_number_hash(ID_NUMBER) and provider.legal_rep_id_last4 == "123X"
    assert provider.address_key == identity.address_key("越秀区中山路8号1201室")


def test_registration_keeps_only_the_hash_and_the_last_four_characters():
    provider = approved_provider(legal_rep_id_number=ID_NUMBER)
    assert provider.legal_rep_id_hash == identity.id_number_hash(ID_NUMBER)
    assert provider.legal_rep_id_last4 == "123X"
    assert provider.phone_key == identity.phone_key(provider.contact_phone)
