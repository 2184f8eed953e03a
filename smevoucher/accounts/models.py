from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from smevoucher.core import access


class City(models.Model):
    code = models.CharField(_("GB/T 2260 code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name


class Organisation(models.Model):
    """An enterprise, a provider or a handling unit. Every user belongs to exactly one."""

    class Kind(models.TextChoices):
        ENTERPRISE = access.ENTERPRISE, _("Enterprise")
        PROVIDER = access.PROVIDER, _("Service provider")
        PROVINCE_UNIT = access.PROVINCE_UNIT, _("Province handling unit")
        CITY_UNIT = access.CITY_UNIT, _("City handling unit")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations", verbose_name=_("city")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            # A city unit's remit is its city; the province unit has no city.
            models.CheckConstraint(
                condition=~Q(kind=access.CITY_UNIT) | Q(city__isnull=False), name="city_unit_has_city"
            ),
            models.CheckConstraint(
                condition=~Q(kind=access.PROVINCE_UNIT) | Q(city__isnull=True), name="province_unit_has_no_city"
            ),
            models.UniqueConstraint(fields=["city"], condition=Q(kind=access.CITY_UNIT), name="one_unit_per_city"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_unit(self) -> bool:
        return self.kind in access.UNIT_KINDS


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        STAFF = "staff", _("Staff member")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self._password_replaced = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if getattr(self, "_password_replaced", False):
            # A new password (changed, reset, or set by an administrator) ends every API token of the user;
            # Django already ends the user's other sessions (their stored hash no longer matches).
            self._password_replaced = False
            self.auth_token_set.all().delete()

    @property
    def requires_two_factor(self) -> bool:
        """Handling-unit staff and site administrators log in with a TOTP code as well."""
        return bool(self.is_staff or self.is_superuser or (self.organisation_id and self.organisation.is_unit))

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(AbstractAuthToken):
    """An API token of one client (a script, an integration) of one user: stored hashed by django-rest-knox,
    expiring (accounts.tokens decides the lifetime), revoked by logging out, by the user on the token page,
    and all at once when the user's password changes."""

    client = models.CharField(_("client"), max_length=100)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.client} ({self.token_key})"
