from django.contrib import admin

from smevoucher.core.admin import ReadOnlyAdmin

from .models import CityMaterial, Order, Payment, RefundRequest


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "product_name", "enterprise", "provider", "status", "expected_voucher_fen", "voucher_fen"]
    list_filter = ["status"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "invoice_number", "invoice_fen", "voucher_fen", "status"]


@admin.register(RefundRequest)
class RefundRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "amount_fen", "status"]


@admin.register(CityMaterial)
class CityMaterialAdmin(ReadOnlyAdmin):
    list_display = ["city", "purpose", "name", "position"]
