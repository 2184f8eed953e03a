from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """Each role's to-do cards (工作台) and the navigation's pending-count badges. It sits on top of the rule apps
    and reads them through their selectors; no rule app imports it."""

    name = "smevoucher.workbench"
    verbose_name = _("Workbench")

    def ready(self):
        from smevoucher.accounts import navigation

        from .cards import badge_counts

        navigation.register_badge_counts(badge_counts)
