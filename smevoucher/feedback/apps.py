from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "smevoucher.feedback"
    verbose_name = _("Ratings and complaints")
