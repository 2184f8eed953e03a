from django.contrib import admin

from smevoucher.core.admin import ReadOnlyAdmin

from .models import Document, Finding


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Read-only: materials are changed only by uploading a new version, and never deleted."""

    list_display = ["id", "organisation", "kind", "filename", "page_count", "size", "sha256", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["filename", "sha256", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["document", "reason", "other_document", "object_type", "object_id", "other_object_id"]
