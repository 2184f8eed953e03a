from django.contrib import admin

from .models import ChangeRequest, Provider, Suspension


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "level", "city", "status", "submitted_at"]
    list_filter = ["status", "level", "city"]
    search_fields = ["organisation__name", "uscc"]
    list_select_related = ["organisation", "city"]
    readonly_fields = ["status", "entry", "level", "checklist", "licence", "commitment_letter"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "proof", "provider", "requested_by", "decided_by"]


@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    """Read-only: suspensions are made and lifted by units through the services (audited)."""

    list_display = ["__str__", "unit", "until", "lifted_at"]
    list_select_related = ["provider__organisation", "unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
