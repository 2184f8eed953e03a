from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import City, Organisation, User


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
