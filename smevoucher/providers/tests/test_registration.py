"""R1 (eligible name, once), R3 (letter dated this year) and the registration's data and materials."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from smevoucher.accounts.factories import city
from smevoucher.accounts.models import Organisation, User
from smevoucher.core import clock
from smevoucher.core.errors import ValidationFailed
from smevoucher.core.models import AuditEvent
from smevoucher.directory.factories import directory_entry
from smevoucher.documents.models import Document
from smevoucher.documents.tests import corpus
from smevoucher.notices.models import Notification
from smevoucher.providers import services
from smevoucher.providers.factories import register_provider, registration_data
from smevoucher.providers.models import Provider

pytestmark = pytest.mark.django_db


def counts():
    return (
        Provider.objects.count(),
        Organisation.objects.filter(kind="provider").count(),
        User.objects.count(),
        Document.objects.count(),
    )


def test_an_eligible_organisation_registers_with_its_materials(private_storage):
    entry = directory_entry(name="广东省标准化服务平台（华南）", level="provincial")
    from smevoucher.accounts.factories import province_user

    reviewer = province_user()
    provider = services.provider_register(**registration_data(" 广东省标准化服务平台(华南) "))
    assert provider.name == entry.name  # the directory's spelling is kept
    assert (provider.status, provider.level, provider.entry) == ("submitted", "provincial", entry)
    assert provider.bank_account == "3602000012345678901"
    user = provider.organisation.users.get()
    assert (user.role, user.organisation.kind) == ("admin", "provider")
    assert provider.licence.kind == "business_licence" and provider.commitment_letter.kind == "commitment_letter"
    assert provider.licence.organisation == provider.organisation
    assert AuditEvent.objects.filter(action="provider.registered", object_id=str(provider.pk)).exists()
    assert Notification.objects.filter(user=reviewer, event="provider.submitted").exists()


@pytest.mark.parametrize(
    ("name_setup", "code"),
    [
        (lambda: None, "not_listed"),
        (lambda: directory_entry(name="广东省某平台", valid_until=clock.today() - timedelta(days=1)), "expired"),
    ],
)
def test_only_an_eligible_name_can_register_and_nothing_is_saved(name_setup, code):
    name_setup()
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        services.provider_register(**registration_data("广东省某平台"))
    assert error.value.code == f"not_eligible_{code}" and "name" in error.value.fields
    assert counts() == before


def test_an_organisation_registers_only_once():
    entry = directory_entry(name="广东省唯一平台")
    register_provider(entry=entry)
    before = counts()
    with pytest.raises(ValidationFailed) as error:
        services.provider_register(**registration_data("广东省唯一平台（ ）".replace("（ ）", "")))
    assert error.value.code == "not_eligible_registered"
    assert "已经注册" in str(error.value.fields["name"][0])
    assert counts() == before


def test_the_database_refuses_a_second_registration_of_the_same_entry():
    first = register_provider()
    with pytest.raises(IntegrityError), transaction.atomic():
        Provider.objects.create(
            **{
                field.attname: getattr(first, field.attname)
                for field in Provider._meta.concrete_fields
                if field.attname not in ("id", "organisation_id", "uscc")
            },
            organisation=Organisation.objects.create(kind="provider", name="复制", city=city()),
            uscc="X",
        )


@pytest.mark.parametrize(
    ("letter_date", "accepted"),
    [
        (date(2027, 6, 15), True),
        (date(2027, 1, 1), True),
        (date(2026, 12, 31), False),  # last year's letter (R3)
        (date(2027, 6, 16), False),  # dated in the future
    ],
)
def test_the_commitment_letter_must_be_dated_in_the_current_year(time_machine, letter_date, accepted):
    time_machine.move_to("2027-06-15T10:00:00+08:00")
    entry = directory_entry(valid_until=date(2030, 12, 31))
    data = registration_data(entry.name, commitment_date=letter_date)
    if accepted:
        assert services.provider_register(**data).commitment_date == letter_date
    else:
        before = counts()
        with pytest.raises(ValidationFailed) as error:
            services.provider_register(**data)
        assert "commitment_date" in error.value.fields
        assert counts() == before


def test_the_year_check_uses_the_local_calendar(time_machine):
    """R14: 1 January 00:30 in Guangzhou is still 31 December in UTC; the letter dated 1 January is fine."""
    time_machine.move_to("2027-12-31T16:30:00Z")  # 2028-01-01 00:30 Asia/Shanghai
    entry = directory_entry(valid_until=date(2030, 12, 31))
    provider = services.provider_register(**registration_data(entry.name, commitment_date=date(2028, 1, 1)))
    assert provider.commitment_date.year == 2028


def test_a_bad_material_is_refused_by_name_and_nothing_is_saved(private_storage):
    entry = directory_entry()
    before = counts()
    data = registration_data(entry.name, commitment_files=[("承诺书.pdf", corpus.encrypted_pdf())])
    with pytest.raises(ValidationFailed) as error:
        services.provider_register(**data)
    assert "承诺书.pdf" in error.value.fields["commitment_letter"][0]
    assert counts() == before
    assert not list(private_storage.rglob("*.pdf"))  # the licence stored before the refusal is removed too


def test_bad_fields_are_all_reported():
    entry = directory_entry()
    data = registration_data(entry.name, uscc="91440100MA00000000", bank_account="abc", address=" ", city=None)
    with pytest.raises(ValidationFailed) as error:
        services.provider_register(**data)
    assert {"uscc", "bank_account", "address", "city"} <= set(error.value.fields)


def test_a_municipal_platform_belongs_to_its_directory_city():
    entry = directory_entry(level="municipal", city_code="440100")
    provider = services.provider_register(**registration_data(entry.name, city=city("440300")))
    assert provider.city.code == "440100" and provider.organisation.city.code == "440100"


def test_the_registration_page_refuses_an_unlisted_name_at_the_first_step(client):
    response = client.get("/providers/register/", {"name": "未列入名录的机构"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/directory/check/")
    assert "不在示范平台名录中" in page


def test_the_registration_page_registers_and_logs_in(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smevoucher.accounts.factories import PASSWORD
    from smevoucher.enterprises.factories import licence_image
    from smevoucher.providers.factories import letter_pdf

    entry = directory_entry(name="广州市中小企业服务站（海珠站）", level="gz_station")
    data = registration_data(entry.name)
    form = {
        **{k: v for k, v in data.items() if k not in ("licence_files", "commitment_files", "password", "city")},
        "commitment_date": data["commitment_date"].isoformat(),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "licence": SimpleUploadedFile("营业执照.jpg", licence_image(), content_type="image/jpeg"),
        "commitment_letter": SimpleUploadedFile("承诺书.pdf", letter_pdf(), content_type="application/pdf"),
    }
    response = client.post("/providers/register/", form, follow=True)
    page = response.content.decode()
    assert "待审核" in page and "广州市中小企业服务站（海珠站）" in page
    assert "仅限广州市的中小微企业" in page
    assert Provider.objects.get().city.code == "440100"


def test_only_organisations_registered_in_guangdong_register():
    """Seed: 在我省登记注册 — the credit code's registering authority is in Guangdong (44xxxx)."""
    from smevoucher.enterprises.factories import make_uscc

    entry = directory_entry()
    with pytest.raises(ValidationFailed) as error:
        services.provider_register(**registration_data(entry.name, uscc=make_uscc("110108")))  # Beijing
    assert "广东" in error.value.fields["uscc"][0]
