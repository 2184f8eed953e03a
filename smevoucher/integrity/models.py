"""Risk flags (issue 17): a suspicious case one rule found, with its evidence, for the city unit to decide.

A flag is identified by its fingerprint (rule kind + the subject it is about), unique in the database, so a rerun
of the scan updates the open flag instead of adding another, and a decided flag stays decided.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class RiskFlag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open, waiting for a decision")
        CLEARED = "cleared", _("Cleared")
        CONFIRMED = "confirmed", pgettext_lazy("risk flag status", "Confirmed")

    kind = models.CharField(_("signal"), max_length=30, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_flags",
        verbose_name=_("service provider"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_flags",
        verbose_name=_("enterprise"),
    )
    # Every order the case concerns (a redemption line of one of them waits for the decision).
    orders = models.ManyToManyField("orders.Order", blank=True, related_name="risk_flags")
    evidence = models.JSONField(_("evidence"), default=dict)
    explanation = models.TextField(_("explanation"))  # plain Chinese, written by the rule
    explanation_en = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=200, unique=True)
    found_at = models.DateTimeField(_("found"))
    updated_at = models.DateTimeField(_("updated"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")
        indexes = [
            models.Index(fields=["status", "city", "kind"], name="riskflag_queue"),
            # The list's order, for the province and for a city, with and without the status filter (issue 16: the
            # nightly scan can raise 100,000s of flags, and sorting them all took 300 ms per page).
            models.Index(fields=["-found_at", "-id"], name="riskflag_list"),
            models.Index(fields=["city", "-found_at", "-id"], name="riskflag_city_list"),
            models.Index(fields=["status", "-found_at", "-id"], name="riskflag_status_list"),
            models.Index(fields=["city", "status", "-found_at", "-id"], name="riskflag_city_status_list"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "cleared", "confirmed"]), name="riskflag_status"),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="riskflag_decided_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def number(self) -> str:
        return f"FX{self.pk:07d}"

    @property
    def text(self) -> str:
        """The explanation in the reader's language."""
        english = (get_language() or "").startswith("en")
        return self.explanation_en if english and self.explanation_en else self.explanation

    @property
    def kind_label(self) -> str:
        from .signals import label_of

        return label_of(self.kind)
