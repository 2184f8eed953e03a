from django.contrib import admin

from .models import CityMaterial, Order, Payment, RefundRequest


class ReadOnly(admin.ModelAdmin):
    """Orders change only through their services (audited); the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnly):
    list_display = ["id", "product_name", "enterprise", "provider", "status", "expected_voucher_fen", "voucher_fen"]
    list_filter = ["status"]


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ["id", "order", "invoice_number", "invoice_fen", "voucher_fen", "status"]


@admin.register(RefundRequest)
class RefundRequestAdmin(ReadOnly):
    list_display = ["id", "order", "amount_fen", "status"]


@admin.register(CityMaterial)
class CityMaterialAdmin(ReadOnly):
    list_display = ["city", "purpose", "name", "position"]
