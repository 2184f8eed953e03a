from django.contrib import admin

from smevoucher.core.admin import ReadOnlyAdmin

from .models import Application, Line, Material


class LineInline(admin.TabularInline):
    model = Line
    fields = ["payment", "order", "voucher_fen", "live"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class MaterialInline(admin.TabularInline):
    model = Material
    fields = ["name", "document"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Applications change only through their services (audited); the admin shows them."""

    list_display = ["id", "provider", "city", "status", "total_fen", "submitted_at", "decided_at", "paid_on"]
    list_filter = ["status", "city"]
    search_fields = ["provider__organisation__name", "verification_code", "payout_reference"]
    inlines = [LineInline, MaterialInline]
