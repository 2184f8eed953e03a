"""The navigation per role: one list per organisation kind, by URL name. Each issue adds its pages here."""

from django.utils.translation import gettext_lazy as _

from smevoucher.core import access

PUBLIC = [
    (_("Home"), "core:home"),
    (_("Notices"), "notices:list"),
    (_("How it works"), "core:flow"),
    (_("Help centre"), "notices:help"),
    (_("Service catalogue"), "catalogue:catalogue"),
]

# What both kinds of handling unit see; the province's remit is every city, a city unit's its own.
UNIT_PAGES = [
    (_("Enterprises"), "enterprises:unit_list"),
    (_("Provider registrations"), "providers:unit_list"),
    (_("Change requests"), "providers:change_request_list"),
    (_("Product review"), "catalogue:review_queue"),
    (_("Directory"), "directory:list"),
    (_("Publish notices"), "notices:manage"),
    (_("Voucher batches"), "vouchers:batch_list"),
    (_("Orders"), "orders:list"),
    (_("Exports"), "reporting:exports"),
    (_("Audit trail"), "reporting:audit"),
    (_("Reports"), "reporting:dashboard"),
]

BY_KIND = {
    access.ENTERPRISE: [
        (_("My enterprise"), "enterprises:home"),
        (_("Materials"), "documents:list"),
        (_("Voucher batches"), "vouchers:batch_list"),
        (_("My vouchers"), "vouchers:wallet"),
        (_("My orders"), "orders:list"),
    ],
    access.PROVIDER: [
        (_("My provider profile"), "providers:home"),
        (_("My service products"), "catalogue:my_products"),
        (_("Orders received"), "orders:list"),
        (_("Redemption applications"), "redemption:list"),
        (_("Voucher receipts"), "reporting:receipts"),
        (_("Materials"), "documents:list"),
    ],
    access.CITY_UNIT: [
        *UNIT_PAGES,
        (_("Annual quota"), "vouchers:quota"),
        (_("Refund requests"), "orders:refund_list"),
        (_("Required materials"), "orders:city_materials"),
        (_("Redemption review"), "redemption:list"),
    ],
    access.PROVINCE_UNIT: UNIT_PAGES,
}
