"""Redemption (DESIGN §2 step 9, R13): per issuing city, a provider bundles confirmed payments into an application;
the city's unit approves or rejects it and records the payout. Money is integer fen.

R13 "a payment is in at most one live application" is kept by the database: a line is `live` while its
application is draft, submitted, approved or paid out, and a partial unique constraint allows one live line per
payment. A rejected application's lines are freed until it is resubmitted.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(10))


def form_code(application_id: int, version: int, lines: list[tuple[int, int]], total_fen: int) -> str:
    """The verification code printed on one version of the forms: a keyed hash (the site's secret) of the
    application, the version, the sorted (payment, fen) lines and the total, as 10 characters of CODE_ALPHABET
    (50 bits). Without the key nobody can make a code match other lines."""
    message = "|".join(
        [str(application_id), str(version), ";".join(f"{p}:{f}" for p, f in sorted(lines)), str(total_fen)]
    )
    number = int.from_bytes(salted_hmac("redemption.form_code", message, algorithm="sha256").digest()[:8], "big")
    return "".join(CODE_ALPHABET[(number >> (5 * i)) & 31] for i in range(10))


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft, being prepared")
        SUBMITTED = "submitted", _("Submitted, waiting for the city unit")
        APPROVED = "approved", _("Approved, waiting for payout")
        REJECTED = "rejected", _("Rejected, to be corrected")
        PAID_OUT = "paid_out", _("Paid out")

    S = Status
    TRANSITIONS = {
        S.DRAFT: {S.SUBMITTED},
        S.SUBMITTED: {S.APPROVED, S.REJECTED},
        S.REJECTED: {S.SUBMITTED},
        S.APPROVED: {S.PAID_OUT},
        S.PAID_OUT: set(),
    }
    EDITABLE = (S.DRAFT, S.REJECTED)
    LIVE = (S.DRAFT, S.SUBMITTED, S.APPROVED, S.PAID_OUT)

    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        related_name="redemption_applications",
        verbose_name=_("service provider"),
    )
    city = models.ForeignKey(
        "accounts.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing city")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    verification_code = models.CharField(
        _("verification code"), max_length=12, unique=True, default=new_verification_code
    )
    application_scan = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary_scan = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    form_version = models.PositiveIntegerField(_("form version"), default=1)
    scans_version = models.PositiveIntegerField(_("form version of the stamped scans"), null=True, blank=True)
    total_fen = models.BigIntegerField(_("total voucher amount (fen)"), default=0)
    reject_reason = models.TextField(_("reasons for rejection"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    paid_on = models.DateField(_("paid out on"), null=True, blank=True)
    payout_reference = models.CharField(_("payout reference"), max_length=60, blank=True)
    result_notice = models.ForeignKey(
        "notices.Notice", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("redemption application")
        verbose_name_plural = _("redemption applications")
        constraints = [models.CheckConstraint(condition=Q(total_fen__gte=0), name="redemption_total_not_negative")]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"DX{self.pk:08d}"

    def may_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def scans_are_current(self) -> bool:
        """Both stamped scans are uploaded for the forms of the current lines (issue 15)."""
        return (
            self.application_scan_id is not None
            and self.summary_scan_id is not None
            and self.scans_version == self.form_version
        )


class FormVersion(models.Model):
    """One version of an application's generated forms: the lines and total its verification code stands for,
    and the stamped scans uploaded for it. A change to the lines supersedes the version; its scans stay here as
    history (they no longer count for the application) and the next version gets a new code."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="form_versions")
    number = models.PositiveIntegerField(_("form version"))
    code = models.CharField(_("verification code"), max_length=12, unique=True)
    lines = models.JSONField(_("payments and voucher amounts (fen)"), default=list)
    total_fen = models.BigIntegerField(_("total voucher amount (fen)"))
    application_scan = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary_scan = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("issued"))
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    class Meta:
        ordering = ["application_id", "-number"]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="one_form_version_number")]

    def __str__(self):
        return f"{self.application_id} v{self.number}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class Line(models.Model):
    """One confirmed payment in an application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="lines")
    payment = models.ForeignKey("orders.Payment", on_delete=models.PROTECT, related_name="redemption_lines")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    voucher_fen = models.BigIntegerField(_("voucher amount (fen)"))
    live = models.BooleanField(default=True)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment"], condition=Q(live=True), name="one_live_redemption_line"),
            models.UniqueConstraint(fields=["application", "payment"], name="one_line_per_payment"),
            models.CheckConstraint(condition=Q(voucher_fen__gt=0), name="redemption_line_positive"),
        ]

    def __str__(self):
        return f"{self.application_id}:{self.payment_id}"


class Material(models.Model):
    """A material the issuing city requires with a redemption application (orders.CityMaterial, purpose
    redemption), as uploaded for one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material"), max_length=100)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["application", "name"], name="one_redemption_material_each")]

    def __str__(self):
        return self.name
