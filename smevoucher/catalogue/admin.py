from django.contrib import admin

from smevoucher.core.admin import ReadOnlyAdmin

from .models import Product, ProductRevision


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["id", "__str__", "provider", "status", "published_revision"]
    list_filter = ["status"]


@admin.register(ProductRevision)
class ProductRevisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "product", "number", "name", "category", "state", "price_min_fen", "price_max_fen"]
    list_filter = ["state", "category"]
    search_fields = ["name"]
