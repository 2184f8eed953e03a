"""Idempotent demo seeding: running it twice changes nothing the second time."""

import base64
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest import mock

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from smevoucher.accounts.models import City, Organisation, User
from smevoucher.core import clock
from smevoucher.core.uscc import check_character
from smevoucher.enterprises import services as enterprise_services
from smevoucher.enterprises.models import Enterprise
from smevoucher.vouchers import services as voucher_services
from smevoucher.vouchers.models import Batch

from . import data


def _user(username: str, organisation: Organisation | None, *, role=User.Role.ADMIN, email="", **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"organisation": organisation, "role": role, "email": email or f"{username}@demo.example", **extra},
    )
    if created:
        user.set_password(data.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _totp(user: User) -> str:
    key = data.totp_key(user.username)
    TOTPDevice.objects.get_or_create(user=user, name="demo", defaults={"key": key, "confirmed": True})
    return base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")


@transaction.atomic
def seed() -> list[tuple[str, str, str]]:
    """Create the demo; return (role, user name, note) lines to print."""
    logins = []

    province, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.PROVINCE_UNIT,
        defaults={
            "name": data.PROVINCE_UNIT["name"],
            "email": data.PROVINCE_UNIT["email"],
            "phone": data.PROVINCE_UNIT["phone"],
        },
    )
    province_user = _user(data.PROVINCE_UNIT["username"], province, first_name="省级审核员")
    logins.append(("province unit", province_user.username, f"TOTP key {_totp(province_user)}"))

    reviewers = {}
    for city in City.objects.all():
        unit, _ = Organisation.objects.get_or_create(
            kind=Organisation.Kind.CITY_UNIT,
            city=city,
            defaults={"name": f"{city.name}服务券市级承办单位", "email": f"sme-{city.slug}@demo.example"},
        )
        staff = _user(data.city_unit_username(city.slug), unit, first_name=f"{city.name}审核员")
        reviewers[city.code] = staff
        secret = _totp(staff)
        if city.code == "440100":
            logins.append(("city unit (Guangzhou)", staff.username, f"TOTP key {secret}"))

    for username, name, first17, city_code, size, industry, tags, approved in data.ENTERPRISES:
        uscc = first17 + check_character(first17)
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            enterprise = enterprise_services.enterprise_sign_up(
                name=name,
                uscc=uscc,
                city=City.objects.get(code=city_code),
                size=size,
                industry=industry,
                legal_representative="张建国",
                contact_name="李晓梅",
                contact_phone="020-88886666",
                contact_email=f"{username}@demo.example",
                username=username,
                password=data.DEMO_PASSWORD,
            )
            reviewer = reviewers[city_code]
            enterprise_services.enterprise_set_priority_tags(
                actor=reviewer, enterprise_id=enterprise.pk, tag_codes=tags
            )
            if approved:
                enterprise_services.enterprise_approve(actor=reviewer, enterprise_id=enterprise.pk)
    logins.append(("enterprise", data.ENTERPRISES[0][0], "approved, Guangzhou, priority tag 专精特新"))

    _voucher_batches(reviewers["440100"])
    logins.append(("enterprise", data.ENTERPRISES[1][0], "approved, Guangzhou, holds vouchers of an allocated batch"))

    provider_org, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.PROVIDER,
        name=data.PROVIDER["name"],
        defaults={"city": City.objects.get(code=data.PROVIDER["city"])},
    )
    _user(data.PROVIDER["username"], provider_org)
    logins.append(("provider", data.PROVIDER["username"], ""))

    admin = _user(data.ADMIN["username"], None, email=data.ADMIN["email"], is_staff=True, is_superuser=True)
    logins.append(("site administrator", admin.username, f"TOTP key {_totp(admin)}"))
    return logins


@contextmanager
def _at(moment: datetime):
    """Replay a step of the demo's history at the moment it happened (the services ask core.clock for now)."""
    with mock.patch.object(clock, "now", return_value=moment):
        yield


def _voucher_batches(unit: User) -> None:
    """An allocated Guangzhou batch (its window closed ten days ago; the demo enterprises hold wallets) and a
    Guangzhou batch whose claim window is open for a week."""
    tz = clock.now().tzinfo
    today = clock.today()
    if not Batch.objects.filter(name=data.ALLOCATED_BATCH["name"]).exists():
        day = today - timedelta(days=10)
        start, end = datetime.combine(day, time(10), tz), datetime.combine(day, time(16), tz)
        with _at(start - timedelta(days=2)):
            batch = voucher_services.batch_create(
                actor=unit,
                name=data.ALLOCATED_BATCH["name"],
                total_fen=data.ALLOCATED_BATCH["total_fen"],
                claim_start=start,
                claim_end=end,
                service_start=day,
                service_end=day + timedelta(days=240),
                validity_end=day + timedelta(days=180),
            )
            voucher_services.batch_open(actor=unit, batch_id=batch.pk)
        for minute, (username, fen) in enumerate(data.ALLOCATED_BATCH["claims"], start=1):
            with _at(start + timedelta(minutes=minute)):
                voucher_services.claim_submit(
                    actor=User.objects.get(username=username), batch_id=batch.pk, amount_fen=fen
                )
        with _at(end + timedelta(minutes=1)):
            voucher_services.batch_allocate(actor=unit, batch_id=batch.pk)
    if not Batch.objects.filter(name=data.OPEN_BATCH["name"]).exists():
        start = datetime.combine(today, time(0), tz)
        batch = voucher_services.batch_create(
            actor=unit,
            name=data.OPEN_BATCH["name"],
            total_fen=data.OPEN_BATCH["total_fen"],
            claim_start=start,
            claim_end=start + timedelta(days=7, hours=16),
            service_start=today,
            service_end=today + timedelta(days=240),
            validity_end=today + timedelta(days=200),
        )
        voucher_services.batch_open(actor=unit, batch_id=batch.pk)
