"""R7: the provider cap row — a tenth of the city's opened batches of the year, conditional updates only."""

import pytest
from django.db import IntegrityError, transaction

from smevoucher.accounts.factories import city_unit_user, provider_user
from smevoucher.vouchers import services
from smevoucher.vouchers.errors import CapExceeded
from smevoucher.vouchers.factories import batch_terms, open_batch
from smevoucher.vouchers.models import CapUsage

pytestmark = pytest.mark.django_db


def test_cap_is_a_tenth_of_the_opened_batches_of_the_city_and_year():
    batch = open_batch(total_fen=100_000_00)
    assert services.cap_fen(batch.city_id, batch.year) == 10_000_00
    open_batch(total_fen=50_000_01)
    assert services.cap_fen(batch.city_id, batch.year) == 15_000_00  # rounded down to the fen


def test_reserve_receive_release():
    batch = open_batch(total_fen=100_000_00)
    provider = provider_user().organisation
    services.cap_reserve(provider_id=provider.pk, batch=batch, fen=6_000_00)
    with pytest.raises(CapExceeded):
        services.cap_reserve(provider_id=provider.pk, batch=batch, fen=4_000_01)
    services.cap_reserve(provider_id=provider.pk, batch=batch, fen=4_000_00)  # exactly the cap
    services.cap_receive(provider_id=provider.pk, batch=batch, reserved_fen=6_000_00, received_fen=5_000_00)
    services.cap_release(provider_id=provider.pk, batch=batch, reserved_fen=4_000_00, received_fen=1_000_00)
    row = CapUsage.objects.get()
    assert (row.reserved_fen, row.received_fen) == (0, 4_000_00)
    [gauge] = services.cap_usage_of(provider.pk)
    assert (gauge["cap_fen"], gauge["used_fen"], gauge["free_fen"], gauge["percent"]) == (
        10_000_00,
        4_000_00,
        6_000_00,
        40,
    )


def test_the_database_refuses_passing_the_cap():
    batch = open_batch(total_fen=100_000_00)
    provider = provider_user().organisation
    row = services.cap_reserve(provider_id=provider.pk, batch=batch, fen=1_00)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapUsage.objects.filter(pk=row.pk).update(received_fen=row.cap_fen)


def test_the_gauge_gives_each_city_its_own_cap_in_two_queries(django_assert_num_queries):
    """The gauge reads the issued totals of every city at once: its queries do not grow with the provider's cities
    (nor years), and a draft batch is not issued."""
    provider = provider_user().organisation
    totals = {"440100": 100_000_00, "440300": 30_000_00, "440600": 7_000_00}  # caps 10,000, 3,000 and 700 yuan
    for code, total in totals.items():
        batch = open_batch(code, total_fen=total)
        services.cap_reserve(provider_id=provider.pk, batch=batch, fen=500_00)
    services.batch_create(actor=city_unit_user("440300"), **batch_terms(total_fen=900_000_00))  # a draft
    with django_assert_num_queries(2):
        gauge = services.cap_usage_of(provider.pk)
    assert {row["city"].code: (row["cap_fen"], row["free_fen"]) for row in gauge} == {
        code: (total // 10, total // 10 - 500_00) for code, total in totals.items()
    }
