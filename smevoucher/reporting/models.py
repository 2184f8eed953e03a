"""The reporting app's snapshot of each batch's figures (see selectors.py for why a snapshot). Nothing here is a
rule or the truth: the ledger and the orders are; these rows are rebuilt from them and can be dropped at any time."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchFigures(models.Model):
    """One batch's funnel and breakdowns as of `computed_at`."""

    batch = models.OneToOneField("vouchers.Batch", on_delete=models.CASCADE, primary_key=True, related_name="+")
    city = models.ForeignKey("accounts.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    year = models.PositiveSmallIntegerField(_("year"))
    computed_at = models.DateTimeField(_("figures as of"))
    # {"issued": {"fen": …, "count": …}, …}: the stable keys of the summary API
    stages = models.JSONField(default=dict)
    # claims per minute/day, claims by size/industry/tag, orders by category, deadline risks
    breakdowns = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("batch figures")
        verbose_name_plural = _("batch figures")
        indexes = [models.Index(fields=["year", "city"])]

    def __str__(self):
        return f"{self.batch_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


class ProviderFigures(models.Model):
    """Per batch and provider: the paid orders' expected and actual voucher amounts (the manual's (五)2)."""

    batch = models.ForeignKey("vouchers.Batch", on_delete=models.CASCADE, related_name="+")
    city = models.ForeignKey("accounts.City", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="+")
    orders = models.PositiveIntegerField(default=0)
    expected_fen = models.BigIntegerField(default=0)
    actual_fen = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "provider"], name="one_provider_figures_per_batch")]
        indexes = [models.Index(fields=["year", "city"])]

    def __str__(self):
        return f"{self.batch_id}:{self.provider_id}"


class ExportJob(models.Model):
    """One requested export (R17): what, with which filters, how far it got, and the file once written.

    The file is stored through Django's storage API under a name nobody can guess and is downloaded only
    through the owner's permission-checked view (never a public URL)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted after the keeping period")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    kind = models.CharField(_("what"), max_length=20)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.XLSX)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.BigIntegerField(_("rows expected"), default=0)
    row_count = models.BigIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True, max_length=200)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.kind}.{self.format} #{self.pk}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def kind_label(self) -> str:
        from .exports import KINDS  # the kinds' registry reads every app; the model needs only their names

        kind = KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.row_count * 100 // self.total_rows)
