from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "smevoucher.orders"
    verbose_name = _("Orders")

    def ready(self):
        # R9/R10 for orders run inside vouchers' reclaim_sweep: one pass applies every deadline (issue 15.9).
        from smevoucher.vouchers.services.reclaim import deadline_step

        from .services import order_deadline_sweep

        deadline_step("orders", order_deadline_sweep)

        from .services.party_names import follow_rename, remember_name

        pre_save.connect(remember_name, sender="accounts.Organisation", dispatch_uid="orders.remember_name")
        post_save.connect(follow_rename, sender="accounts.Organisation", dispatch_uid="orders.follow_rename")
