"""Idempotent demo seeding: running it twice changes nothing the second time."""

import base64
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from smevoucher.accounts.models import City, Organisation, User
from smevoucher.core import clock
from smevoucher.core.identity import id_number_check_character
from smevoucher.core.pdf import render_pdf
from smevoucher.core.uscc import check_character
from smevoucher.directory import services as directory_services
from smevoucher.directory.models import Entry
from smevoucher.directory.names import name_key
from smevoucher.enterprises import services as enterprise_services
from smevoucher.enterprises.models import Enterprise
from smevoucher.notices.models import Notice
from smevoucher.notices.services import notice_publish
from smevoucher.providers import services as provider_services
from smevoucher.providers.models import Provider
from smevoucher.vouchers import services as voucher_services
from smevoucher.vouchers.models import Batch, PolicySetting

from . import data
from .feedback import seed_feedback, seed_sanctions
from .integrity import seed_integrity
from .materials import seed_city_materials
from .orders import seed_orders
from .products import seed_products
from .redemption import seed_redemption


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


def _licence(name: str, uscc: str, city: City, legal_representative: str, address: str) -> list:
    """A sample business licence (a PDF marked as a demonstration sample), as one material file."""
    pdf = render_pdf(
        "demo/licence_pdf.html",
        {
            "name": name,
            "uscc": uscc,
            "city": city.name,
            "legal_representative": legal_representative,
            "address": address,
        },
    )
    return [("营业执照副本.pdf", pdf)]


def _id_number(first17: str) -> str:
    return first17 + id_number_check_character(first17)


def _seed_enterprise_change() -> list[tuple[str, str, str]]:
    """Issue 17: one pending enterprise change request (a move and a new telephone) in the Guangzhou unit's queue."""
    spec = data.ENTERPRISE_CHANGE
    enterprise = Enterprise.objects.filter(organisation__users__username=spec["enterprise"]).first()
    if enterprise is None or enterprise.change_requests.exists():
        return []
    clerk = enterprise.organisation.users.order_by("pk").first()
    enterprise_services.enterprise_change_submit(
        actor=clerk,
        enterprise_id=enterprise.pk,
        new_registered_address=spec["new_registered_address"],
        new_contact_phone=spec["new_contact_phone"],
        explanation=spec["explanation"],
        licence_files=_licence(
            enterprise.name,
            enterprise.uscc,
            enterprise.city,
            enterprise.legal_representative,
            spec["new_registered_address"],
        ),
    )
    return [("city unit (Guangzhou)", "/enterprises/changes/", "an enterprise change request to decide")]


def _commitment_letter(name: str) -> list:
    """The platform's own commitment letter template, standing in for the signed and sealed scan."""
    pdf = render_pdf("providers/commitment_letter_pdf.html", {"name": name, "year": clock.today().year})
    return [("服务机构承诺书.pdf", pdf)]


def _seed_directory(actor: User) -> None:
    for name, level, city_code, year, valid_until, source in data.DIRECTORY:
        if Entry.objects.filter(name_key=name_key(name), level=level).exists():
            continue
        directory_services.entry_create(
            actor=actor,
            name=name,
            level=level,
            city=City.objects.get(code=city_code) if city_code else None,
            recognition_year=year,
            valid_until=date.fromisoformat(valid_until),
            source=source,
        )


def _seed_providers(reviewers: dict, province_user: User) -> list[tuple[str, str, str]]:
    logins = []
    for username, name, first17, city_code, approved in data.PROVIDERS:
        provider = Provider.objects.filter(name_key=name_key(name)).first()
        if provider is None:
            if User.objects.filter(username=username).exists():
                # A demo database from before providers registered: rebuild it (make clean && make run).
                continue
            city = City.objects.get(code=city_code)
            uscc = first17 + check_character(first17)
            address = f"{city.name}演示路{len(username)}号"
            provider = provider_services.provider_register(
                name=name,
                city=city,
                uscc=uscc,
                legal_representative=data.RELATED_PARTY["name"],
                legal_rep_id_number=data.RELATED_PARTY["id_number"]
                if username == data.RELATED_PARTY["provider"]
                else _id_number(f"44010219750606{len(username):03d}"),
                contact_name="周敏",
                contact_phone="020-66262690",
                contact_email=f"{username}@demo.example",
                address=address,
                bank_name="中国工商银行广州分行营业部",
                bank_account_name=name,
                bank_account="3602000019200012345",
                commitment_date=clock.today(),
                licence_files=_licence(name, uscc, city, "陈志远", address),
                commitment_files=_commitment_letter(name),
                username=username,
                password=data.DEMO_PASSWORD,
            )
            if approved:
                reviewer = province_user if provider.level in ("national", "provincial") else reviewers[city_code]
                provider_services.provider_approve(
                    actor=reviewer,
                    provider_id=provider.pk,
                    checklist=dict.fromkeys(provider_services.CHECKLIST_KEYS, True),
                )
        note = f"{provider.get_level_display()}, {'approved' if approved else 'pending review'}"
        logins.append(("provider", username, note))
    return logins


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
            "contact_person": data.PROVINCE_UNIT["contact_person"],
        },
    )
    if not province.contact_person:
        province.contact_person = data.PROVINCE_UNIT["contact_person"]
        province.save(update_fields=["contact_person"])
    province_user = _user(data.PROVINCE_UNIT["username"], province, first_name="省级审核员")
    logins.append(("province unit", province_user.username, f"TOTP key {_totp(province_user)}"))

    reviewers = {}
    for number, city in enumerate(City.objects.all()):
        unit, _ = Organisation.objects.get_or_create(
            kind=Organisation.Kind.CITY_UNIT,
            city=city,
            defaults={"name": f"{city.name}服务券市级承办单位", "email": f"sme-{city.slug}@demo.example"},
        )
        if not unit.contact_person:
            unit.contact_person = data.CITY_CONTACT_PEOPLE[number % len(data.CITY_CONTACT_PEOPLE)]
            unit.save(update_fields=["contact_person"])
        staff = _user(data.city_unit_username(city.slug), unit, first_name=f"{city.name}审核员")
        reviewers[city.code] = staff
        secret = _totp(staff)
        if city.code == "440100":
            logins.append(("city unit (Guangzhou)", staff.username, f"TOTP key {secret}"))

    for index, (username, name, first17, city_code, size, industry, tags, approved) in enumerate(data.ENTERPRISES):
        uscc = first17 + check_character(first17)
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        city = City.objects.get(code=city_code)
        if enterprise is None:
            enterprise = enterprise_services.enterprise_sign_up(
                licence_files=_licence(name, uscc, city, "张建国", f"{city.name}演示大道1号"),
                name=name,
                uscc=uscc,
                city=city,
                size=size,
                industry=industry,
                # issue 17: ent_gz2 shares its legal representative with prov_gz1, a related-party case
                legal_representative=data.RELATED_PARTY["name"]
                if username == data.RELATED_PARTY["enterprise"]
                else "张建国",
                legal_rep_id_number=data.RELATED_PARTY["id_number"]
                if username == data.RELATED_PARTY["enterprise"]
                else _id_number(f"44010119800101{index:03d}"),
                registered_address=f"{city.name}演示大道{index + 1}号",
                contact_name="李晓梅",
                contact_phone=f"020-8888{index:04d}",
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
        elif enterprise.licence_id is None and enterprise.status != Enterprise.Status.APPROVED:
            enterprise_services.enterprise_resubmit(
                actor=enterprise.organisation.users.order_by("pk").first(),
                enterprise_id=enterprise.pk,
                licence_files=_licence(name, uscc, city, "张建国", f"{city.name}演示大道1号"),
            )
    logins.append(("enterprise", data.ENTERPRISES[0][0], "approved, Guangzhou, priority tag 专精特新"))
    logins += _seed_enterprise_change()
    logins.append(("enterprise", "ent_fs1", "Foshan, pending review (licence uploaded)"))

    _seed_directory(province_user)
    logins += _seed_providers(reviewers, province_user)
    logins += seed_products(reviewers, province_user)

    publishers = {"province": province_user, **reviewers}
    year = clock.today().year
    for publisher, category, title, body, pinned in data.NOTICES:
        title, body = title.format(year=year), body.format(year=year)
        if not Notice.objects.filter(title=title).exists():
            notice_publish(actor=publishers[publisher], category=category, title=title, body=body, pinned=pinned)
    if not PolicySetting.objects.filter(year=year).exists():  # R19: the year's policy numbers, set by the province
        voucher_services.policy_set(actor=province_user, year=year, reason=data.POLICY_REASON, **data.POLICY)
    _voucher_batches(reviewers["440100"])
    logins += seed_city_materials(reviewers["440100"])
    logins.append(("enterprise", data.ENTERPRISES[1][0], "approved, Guangzhou, holds vouchers of an allocated batch"))
    logins += seed_orders()
    logins += seed_redemption()
    logins += seed_feedback()
    logins += seed_sanctions()
    logins += seed_integrity()

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
                service_end=day + timedelta(days=180),
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
            service_end=today + timedelta(days=200),
            validity_end=today + timedelta(days=200),
        )
        voucher_services.batch_open(actor=unit, batch_id=batch.pk)
