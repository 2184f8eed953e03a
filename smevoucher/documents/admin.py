from django.contrib import admin

from .models import Document, Finding


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: materials are changed only by uploading a new version, and never deleted."""

    list_display = ["id", "organisation", "kind", "filename", "page_count", "size", "sha256", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["filename", "sha256", "organisation__name"]
    list_select_related = ["organisation"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["document", "reason", "other_document", "object_type", "object_id", "other_object_id"]

    def has_delete_permission(self, request, obj=None):
        return False
