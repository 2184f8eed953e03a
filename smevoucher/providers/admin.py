from django.contrib import admin

from .models import ChangeRequest, Provider


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
