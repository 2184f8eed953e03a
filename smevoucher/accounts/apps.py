from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _sync_reference_data(sender, using="default", **kwargs):
    from .cities import sync_cities

    sync_cities(using=using)


def _forget_token(sender, instance, **kwargs):
    from .tokens import forget

    forget([instance.token_key])


def _forget_user_tokens(sender, instance, created=False, **kwargs):
    from .tokens import forget_user

    if not created:
        forget_user(instance)


class AccountsConfig(AppConfig):
    name = "smevoucher.accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        post_migrate.connect(_sync_reference_data, sender=self, dispatch_uid="accounts.sync_cities")
        # API tokens are cached for authentication (accounts.tokens): a deleted token, or any change to its user
        # (deactivated, new password, new role), must not be served from the cache a moment longer.
        post_delete.connect(_forget_token, sender="accounts.ApiToken", dispatch_uid="accounts.forget_token")
        post_save.connect(_forget_user_tokens, sender="accounts.User", dispatch_uid="accounts.forget_user_tokens")
