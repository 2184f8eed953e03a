from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "smevoucher.orders"
    verbose_name = _("Orders")

    def ready(self):
        # R9/R10 for orders run inside vouchers' reclaim_sweep: one pass applies every deadline (issue 15.9).
        from smevoucher.vouchers.services.reclaim import deadline_step

        from .services import order_deadline_sweep

        deadline_step("orders", order_deadline_sweep)
