from django.contrib import admin

from .models import Product, ProductRevision


class ReadOnlyAdmin(admin.ModelAdmin):
    """Products change only through the services (audited); the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["id", "__str__", "provider", "status", "published_revision"]
    list_filter = ["status"]


@admin.register(ProductRevision)
class ProductRevisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "product", "number", "name", "category", "state", "price_min_fen", "price_max_fen"]
    list_filter = ["state", "category"]
    search_fields = ["name"]
