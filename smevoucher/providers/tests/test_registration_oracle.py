"""Issue 14 (9): a taken user name is told only to an otherwise complete registration."""

import pytest

from smevoucher.accounts.factories import UserFactory
from smevoucher.core.errors import ValidationFailed
from smevoucher.providers.factories import register_provider

pytestmark = pytest.mark.django_db


def test_a_taken_user_name_is_told_only_when_everything_else_is_right():
    UserFactory(username="taken_provider")
    with pytest.raises(ValidationFailed) as error:
        register_provider(username="taken_provider", password="123")
    assert set(error.value.fields) == {"password"}
    with pytest.raises(ValidationFailed) as error:
        register_provider(username="Taken_Provider")
    assert set(error.value.fields) == {"username"}
