"""Test helpers: provider registrations made through the real services."""

import itertools

from smevoucher.accounts.factories import PASSWORD, city, city_unit_user, province_user
from smevoucher.core import clock
from smevoucher.directory.factories import directory_entry
from smevoucher.directory.models import CITY_LEVELS
from smevoucher.enterprises.factories import licence_image, make_uscc

from . import services
from .models import Provider

_serial = itertools.count(1)

CHECKED = {"hand_signature": True, "seal_legible": True, "date_current_year": True}


def letter_pdf() -> bytes:
    """A one-page PDF standing in for the scanned, signed commitment letter."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def registration_data(name: str, **overrides) -> dict:
    n = next(_serial)
    data = {
        "name": name,
        "city": city("440100"),
        "uscc": make_uscc("440104"),
        "legal_representative": "黄法人",
        "contact_name": "郑联系",
        "contact_phone": "020-87654321",
        "contact_email": f"prov{n}@example.test",
        "address": "广州市越秀区测试路1号",
        "bank_name": "中国工商银行广州越秀支行",
        "bank_account_name": name,
        "bank_account": "3602 0000 1234 5678 901",
        "commitment_date": clock.today(),
        "licence_files": [("营业执照.jpg", licence_image())],
        "commitment_files": [("承诺书.pdf", letter_pdf())],
        "username": f"prov{n}",
        "password": PASSWORD,
    }
    data.update(overrides)
    return data


def register_provider(*, level: str = "provincial", entry=None, **overrides) -> Provider:
    entry = entry or directory_entry(level=level)
    return services.provider_register(**registration_data(entry.name, **overrides))


def reviewer_for(provider: Provider):
    if provider.level in CITY_LEVELS:
        return city_unit_user(provider.city.code)
    return province_user()


def approved_provider(*, level: str = "provincial", **kwargs) -> Provider:
    provider = register_provider(level=level, **kwargs)
    return services.provider_approve(actor=reviewer_for(provider), provider_id=provider.pk, checklist=CHECKED)


def provider_user_of(provider: Provider):
    return provider.organisation.users.order_by("pk").first()
