import pytest

from smevoucher.demo.seed import seed
from smevoucher.enterprises.models import Enterprise
from smevoucher.vouchers import selectors
from smevoucher.vouchers.models import Batch, LedgerTransaction

pytestmark = pytest.mark.django_db


def test_demo_has_an_allocated_and_an_open_batch_and_seeding_twice_changes_nothing():
    seed()
    seed()
    assert sorted(Batch.objects.values_list("status", flat=True)) == ["allocated", "open"]
    assert LedgerTransaction.objects.filter(kind="allocation").count() == 1
    priority = Enterprise.objects.get(organisation__users__username="ent_gz1")
    [wallet] = [w for w in selectors.wallets_of(priority) if w.batch.status == "allocated"]
    assert (wallet.state, wallet.usable_fen) == ("usable", 500_000)
    assert selectors.ledger_problems() == []
