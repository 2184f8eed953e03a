"""The navigation per role: one list per organisation kind, by URL name. Each issue adds its pages here."""

from django.utils.translation import gettext_lazy as _

from smevoucher.core import access

PUBLIC = [
    (_("Home"), "core:home"),
    (_("How it works"), "core:flow"),
    (_("Service catalogue"), "catalogue:catalogue"),
]

BY_KIND = {
    access.ENTERPRISE: [
        (_("My enterprise"), "enterprises:home"),
        (_("Materials"), "documents:list"),
    ],
    access.PROVIDER: [
        (_("My provider profile"), "providers:home"),
        (_("My service products"), "catalogue:my_products"),
        (_("Materials"), "documents:list"),
    ],
    access.CITY_UNIT: [
        (_("Enterprises"), "enterprises:unit_list"),
        (_("Provider registrations"), "providers:unit_list"),
        (_("Change requests"), "providers:change_request_list"),
        (_("Product review"), "catalogue:review_queue"),
        (_("Directory"), "directory:list"),
    ],
    access.PROVINCE_UNIT: [
        (_("Enterprises"), "enterprises:unit_list"),
        (_("Provider registrations"), "providers:unit_list"),
        (_("Change requests"), "providers:change_request_list"),
        (_("Product review"), "catalogue:review_queue"),
        (_("Directory"), "directory:list"),
    ],
}
