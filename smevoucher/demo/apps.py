from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for every role (`seed_demo`). It sits at the top of the import order: it may use every
    app's services, and no app imports it."""

    name = "smevoucher.demo"
    verbose_name = _("Demo data")
