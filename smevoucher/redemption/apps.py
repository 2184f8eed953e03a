from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedemptionConfig(AppConfig):
    name = "smevoucher.redemption"
    verbose_name = _("Redemption")
