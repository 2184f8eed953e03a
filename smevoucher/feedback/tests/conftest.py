import pytest

from smevoucher.orders import factories


@pytest.fixture
def w(db):
    return factories.world()
