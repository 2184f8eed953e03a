"""Test factories for organisations and users (state that matters is built through services)."""

import factory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import City, Organisation, User

PASSWORD = "correct-horse-battery-9"


def city(code: str = "440100") -> City:
    return City.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.PROVIDER
    name = factory.Sequence(lambda n: f"测试机构{n}")
    city = factory.LazyFunction(city)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    organisation = factory.SubFactory(OrganisationFactory)
    role = User.Role.ADMIN
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def city_unit_user(code: str = "440100", **kwargs) -> User:
    unit = Organisation.objects.filter(kind=Organisation.Kind.CITY_UNIT, city__code=code).first()
    if unit is None:
        unit = OrganisationFactory(kind=Organisation.Kind.CITY_UNIT, city=city(code), name=f"{code}承办单位")
    return UserFactory(organisation=unit, **kwargs)


def province_user(**kwargs) -> User:
    unit = Organisation.objects.filter(kind=Organisation.Kind.PROVINCE_UNIT).first()
    if unit is None:
        unit = OrganisationFactory(kind=Organisation.Kind.PROVINCE_UNIT, city=None, name="省级承办单位")
    return UserFactory(organisation=unit, **kwargs)


def provider_user(code: str = "440100", **kwargs) -> User:
    return UserFactory(organisation=OrganisationFactory(kind=Organisation.Kind.PROVIDER, city=city(code)), **kwargs)


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def login_verified(client, user: User) -> None:
    """Log a user in with the Django test client as if the TOTP step had been passed too."""
    client.force_login(user)
    if user.requires_two_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def logged_in_client(user: User):
    """A Django test client logged in as the user (the TOTP step passed for staff)."""
    from django.test import Client

    client = Client()
    login_verified(client, user)
    return client
