"""The reporting app's snapshot of each batch's figures (see selectors.py for why a snapshot). Nothing here is a
rule or the truth: the ledger and the orders are; these rows are rebuilt from them and can be dropped at any time."""

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
