"""The navigation per role: one list per organisation kind, by URL name. Each issue adds its pages here."""

from django.utils.translation import gettext_lazy as _

from smevoucher.core import access

PUBLIC = [
    (_("Home"), "core:home"),
    (_("How it works"), "core:flow"),
]

BY_KIND = {
    access.ENTERPRISE: [
        (_("My enterprise"), "enterprises:home"),
        (_("Voucher batches"), "vouchers:batch_list"),
        (_("My vouchers"), "vouchers:wallet"),
    ],
    access.PROVIDER: [
        (_("Workspace"), "accounts:dashboard"),
    ],
    access.CITY_UNIT: [
        (_("Enterprises"), "enterprises:unit_list"),
        (_("Voucher batches"), "vouchers:batch_list"),
        (_("Annual quota"), "vouchers:quota"),
    ],
    access.PROVINCE_UNIT: [
        (_("Enterprises"), "enterprises:unit_list"),
        (_("Voucher batches"), "vouchers:batch_list"),
    ],
}
