from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_reference_data(sender, using="default", **kwargs):
    from .models import sync_priority_tags

    sync_priority_tags(using=using)


class EnterprisesConfig(AppConfig):
    name = "smevoucher.enterprises"
    verbose_name = _("Enterprises")

    def ready(self):
        post_migrate.connect(_sync_reference_data, sender=self, dispatch_uid="enterprises.sync_priority_tags")
