from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_reference_data(sender, using="default", **kwargs):
    from .cities import sync_cities

    sync_cities(using=using)


class AccountsConfig(AppConfig):
    name = "smevoucher.accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        post_migrate.connect(_sync_reference_data, sender=self, dispatch_uid="accounts.sync_cities")
