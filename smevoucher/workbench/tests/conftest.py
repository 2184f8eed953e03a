import io
from unittest import mock

import pytest
from pypdf import PdfWriter

from smevoucher.accounts.models import User


def _blank_pdf(*args, **kwargs) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seed_demo_quickly():
    """The demo data (every role, an order in each state), with its sample licences and letters left blank
    (nothing here looks inside them)."""
    from smevoucher.demo.seed import seed

    with mock.patch("smevoucher.demo.seed.render_pdf", _blank_pdf):
        seed()


@pytest.fixture
def demo_users(db):
    seed_demo_quickly()
    return {user.username: user for user in User.objects.all()}
