from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: health and readiness probes and Prometheus metrics. It reads the other apps' tables for the
    business counters; no app imports it."""

    name = "smevoucher.ops"
    verbose_name = _("Operations")
