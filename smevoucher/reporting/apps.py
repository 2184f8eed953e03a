from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Read-only oversight (R17): dashboards, exports and the audit trail. It reads the other apps through
    their selectors and the ledger; no app imports it."""

    name = "smevoucher.reporting"
    verbose_name = _("Reports")
