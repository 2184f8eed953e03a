from django.contrib import admin

from .models import Complaint, Rating


class ReadOnly(admin.ModelAdmin):
    """Ratings and complaints change only through the services (audited), never in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ["order", "provider", "score", "updated_at"]
    list_filter = ["score"]
    list_select_related = ["order", "provider__organisation"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnly):
    list_display = ["number", "provider", "city", "status", "filed_at"]
    list_filter = ["status", "city"]
    list_select_related = ["provider__organisation", "city"]
