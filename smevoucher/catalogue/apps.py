from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "smevoucher.catalogue"
    verbose_name = _("Service products")
    default_auto_field = "django.db.models.BigAutoField"
