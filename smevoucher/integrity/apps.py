from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "smevoucher.integrity"
    verbose_name = _("Scheme integrity")
