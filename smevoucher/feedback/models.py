"""Ratings and complaints (issue 17): after receipt the enterprise rates the service of an order (1–5 and a
comment) and may file a complaint to the unit of the city that issued the vouchers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Rating(models.Model):
    """One per order; the enterprise may revise it (the latest counts). The product's summary in the catalogue
    (`catalogue.Product.rating_count/rating_total`) is kept in the same transaction."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="rating")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="ratings")
    product = models.ForeignKey("catalogue.Product", on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("rated"))
    updated_at = models.DateTimeField(_("revised"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")]
        indexes = [models.Index(fields=["provider", "score"])]

    def __str__(self):
        return f"{self.order_id}: {self.score}"


class Complaint(models.Model):
    """An enterprise's complaint about the service of one of its orders, to the issuing city's unit, which
    answers and closes it."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("complaint status", "Open")
        ANSWERED = "answered", pgettext_lazy("complaint status", "Answered")
        CLOSED = "closed", pgettext_lazy("complaint status", "Closed")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="complaints")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="complaints")
    city = models.ForeignKey("accounts.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    text = models.TextField(_("complaint"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("complaint", "closed"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            # One complaint in progress per order: a second click does not file a second one.
            models.UniqueConstraint(fields=["order"], condition=~Q(status="closed"), name="one_live_complaint"),
            models.CheckConstraint(condition=Q(status__in=["open", "answered", "closed"]), name="complaint_status"),
        ]
        indexes = [models.Index(fields=["city", "status"]), models.Index(fields=["provider", "filed_at"])]

    def __str__(self):
        return f"#{self.pk} {self.order_id}"

    @property
    def number(self) -> str:
        return f"T{self.pk:06d}"
