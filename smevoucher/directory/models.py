from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import City


class Level(models.TextChoices):
    """Directory levels (R1). National and provincial platforms serve every city; municipal platforms and
    Guangzhou SME service stations serve their own city only (R2)."""

    NATIONAL = "national", _("National demonstration platform")
    PROVINCIAL = "provincial", _("Provincial demonstration platform")
    MUNICIPAL = "municipal", _("Municipal demonstration platform")
    GZ_STATION = "gz_station", _("Guangzhou SME service station")


CITY_LEVELS = {Level.MUNICIPAL, Level.GZ_STATION}


class Entry(models.Model):
    """One organisation recognised at one level. Kept by the province unit; never deleted, only deactivated."""

    name = models.CharField(_("full name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("city")
    )
    recognition_year = models.PositiveSmallIntegerField(_("year of recognition"))
    valid_until = models.DateField(_("may receive vouchers until"))
    source = models.CharField(_("source document"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        constraints = [
            models.UniqueConstraint(fields=["name_key", "level"], name="directory_one_entry_per_name_and_level"),
            # R2: municipal platforms and stations belong to a city; national and provincial ones to none.
            models.CheckConstraint(
                condition=(Q(level__in=["municipal", "gz_station"]) & Q(city__isnull=False))
                | (Q(level__in=["national", "provincial"]) & Q(city__isnull=True)),
                name="directory_city_only_for_city_levels",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_level_display()})"


class Import(models.Model):
    """An uploaded sheet: checked row by row first (errors shown, nothing saved), then applied on request.
    Progress is written as rows are processed, so a large sheet shows how far it got."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        INVALID = "invalid", _("Has errors")
        READY = "ready", _("Ready to import")
        APPLYING = "applying", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 3, "message": "..."}]
    rows = models.JSONField(default=list, blank=True)  # the checked rows, ready to apply
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.filename

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, self.processed_rows * 100 // self.total_rows)
