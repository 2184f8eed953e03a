from django.contrib import admin

from .models import Enterprise, PriorityTag


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "city", "size", "industry", "status"]
    list_filter = ["status", "city", "size", "industry"]
    search_fields = ["organisation__name", "uscc"]
    list_select_related = ["organisation", "city"]
    readonly_fields = ["status"]  # changed only through the review service


@admin.register(PriorityTag)
class PriorityTagAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
