from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, City, Organisation, User


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see and revoke (delete) tokens; tokens are issued only through the API."""

    list_display = ["client", "user", "token_key", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["user__username", "client", "token_key"]
    fields = readonly_fields = ["client", "user", "token_key", "created", "expiry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "email", "phone"]
    list_filter = ["kind", "city"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Organisation"), {"fields": ("organisation", "role", "phone")}))
    list_display = ["username", "display_name", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active"]
    list_select_related = ["organisation"]
