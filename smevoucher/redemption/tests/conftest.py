import pytest

from smevoucher.orders import factories
from smevoucher.redemption.factories import confirmed_payments


@pytest.fixture
def w(db):
    return factories.world()


@pytest.fixture
def payments(w):
    return confirmed_payments(w, 2)
