from django.contrib import admin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "city", "recognition_year", "valid_until", "active"]
    list_filter = ["level", "active", "city"]
    search_fields = ["name"]
    readonly_fields = ["name", "level", "city", "recognition_year", "valid_until", "source", "active"]

    def has_add_permission(self, request):
        return False  # entries change only through the directory services (audited)
