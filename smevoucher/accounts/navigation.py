"""The navigation per role: at most seven top-level entries, most of them drop-down groups (issue 13).

An entry is one line: (label, URL name, workbench card codes whose counts make its badge...). An entry whose URL
name does not resolve is skipped, so a page can be listed here before its app lands; a group left empty is not
shown, and a group of one entry is shown as a plain link. The badges are the workbench's card counts, which the
workbench app registers (this app sits below it and does not import it).
"""

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from smevoucher.core import access

MAX_TOP_LEVEL = 7

WORKBENCH = (_("Workbench"), [(_("Workbench"), "workbench:home")])

INFORMATION = (
    _("Information"),
    [
        (_("Notices"), "notices:list"),
        (_("How it works"), "core:flow"),
        (_("Help centre"), "notices:help"),
        (_("Service catalogue"), "catalogue:catalogue"),
    ],
)

NOTICES_AND_HELP = (
    _("Information"),
    [
        (_("Notices"), "notices:list"),
        (_("How it works"), "core:flow"),
        (_("Help centre"), "notices:help"),
        (_("Materials each city requires"), "orders:city_materials"),
    ],
)

# What a visitor who is not logged in sees (and a user who has not yet passed the second step).
PUBLIC = [
    (_("Home"), [(_("Home"), "core:home")]),
    (_("Notices"), [(_("Notices"), "notices:list")]),
    (_("How it works"), [(_("How it works"), "core:flow")]),
    (_("Help centre"), [(_("Help centre"), "notices:help")]),
    (_("Service catalogue"), [(_("Service catalogue"), "catalogue:catalogue")]),
]

# Both kinds of handling unit; the province's remit is every city, a city unit's its own. Pages a unit kind may not
# open are left out by `_allowed` below.
UNIT = [
    WORKBENCH,
    (
        _("Reviews"),
        [
            (_("Enterprises"), "enterprises:unit_list", "enterprise_review"),
            (_("Provider registrations"), "providers:unit_list", "provider_review", "letter_review"),
            # Both unit kinds see both kinds of change request: the label says whose (the glossary's 服务机构变更申请).
            (_("Provider change requests"), "providers:change_request_list", "change_review"),
            (_("Enterprise change requests"), "enterprises:change_request_list", "enterprise_change_review"),
            (_("Violations record"), "providers:suspension_list"),
            (_("Product review"), "catalogue:review_queue", "product_review"),
        ],
    ),
    (
        _("Vouchers"),
        [
            (_("Voucher batches"), "vouchers:batch_list", "batch_to_allocate"),
            (_("Annual quota"), "vouchers:quota"),
            (_("Policy settings"), "vouchers:policy"),
        ],
    ),
    (
        _("Orders and redemption"),
        [
            (_("Orders"), "orders:list"),
            (_("Refund requests"), "orders:refund_list", "refund_review"),
            (_("Complaints"), "feedback:complaint_list"),
            (_("Redemption review"), "redemption:list", "redemption_review", "results_to_publish"),
            (_("Materials cities require"), "orders:city_materials"),
        ],
    ),
    (
        _("Statistics and oversight"),
        [
            (_("Reports"), "reporting:dashboard"),
            (_("Exports"), "reporting:exports"),
            (_("Audit trail"), "reporting:audit"),
            (_("Risk flags"), "integrity:list"),
        ],
    ),
    (
        _("Administration"),
        [
            (_("Directory"), "directory:list"),
            (_("Publish notices"), "notices:manage"),
        ],
    ),
    INFORMATION,
]

BY_KIND = {
    access.ENTERPRISE: [
        WORKBENCH,
        (
            _("Vouchers"),
            [
                (_("Voucher batches"), "vouchers:batch_list", "claim_open"),
                (_("My vouchers"), "vouchers:wallet", "order_due"),
            ],
        ),
        (_("Service catalogue"), [(_("Service catalogue"), "catalogue:catalogue")]),
        (
            _("My orders"),
            [
                (_("My orders"), "orders:list", "contract_due", "payment_due", "payment_rejected"),
                (_("My complaints"), "feedback:complaint_list"),
            ],
        ),
        (
            _("My enterprise"),
            [
                (_("My enterprise"), "enterprises:home"),
                (_("Materials"), "documents:list"),
            ],
        ),
        NOTICES_AND_HELP,
    ],
    access.PROVIDER: [
        WORKBENCH,
        (
            _("Orders and receipts"),
            [
                (_("Orders received"), "orders:list", "order_to_confirm", "contract_to_confirm", "payment_to_confirm"),
                (_("Voucher receipts"), "reporting:receipts"),
            ],
        ),
        (
            _("Redemption applications"),
            [(_("Redemption applications"), "redemption:list", "redemption_draft", "redemption_returned")],
        ),
        (
            _("Service products"),
            [
                (_("My service products"), "catalogue:my_products"),
                (_("Service catalogue"), "catalogue:catalogue"),
            ],
        ),
        (
            _("My provider"),
            [
                (_("My provider profile"), "providers:home"),
                (_("Commitment letter"), "providers:letter", "letter_to_renew"),
                (_("Materials"), "documents:list"),
            ],
        ),
        NOTICES_AND_HELP,
    ],
    access.CITY_UNIT: UNIT,
    access.PROVINCE_UNIT: UNIT,
}

# Entries of the user menu (next to the user's name), for every logged-in user.
USER_MENU = [
    (_("API tokens"), "accounts:tokens"),
]

# Pages of the units' menu that only a city unit opens (the province sees every city but does not decide these).
CITY_UNIT_ONLY = {"vouchers:quota", "orders:refund_list", "redemption:list", "orders:city_materials"}

_badge_counts: Callable | None = None


def register_badge_counts(function: Callable) -> None:
    """The workbench app registers `function(request) -> {card code: count}` at start-up."""
    global _badge_counts
    _badge_counts = function


def _allowed(kind: str | None, url_name: str) -> bool:
    return not (url_name in CITY_UNIT_ONLY and kind == access.PROVINCE_UNIT)


def _resolve(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _current(path: str, urls: list[str]) -> str | None:
    """The entry the page belongs to: the longest entry URL that the path starts with (the home page only itself)."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len) if matches else None


def build(request) -> list[dict]:
    """The navigation of the request's user: groups with their entries, badges and the current page marked."""
    user = getattr(request, "user", None)
    kind = access.organisation_kind(user)
    verified = kind and (not user.requires_two_factor or user.is_verified())
    groups = BY_KIND.get(kind, PUBLIC) if verified else PUBLIC
    counts = _badge_counts(request) if verified and _badge_counts else {}
    built = []
    for label, entries in groups:
        items = []
        for entry_label, url_name, *codes in entries:
            url = _resolve(url_name) if _allowed(kind, url_name) else None
            if url is not None:
                items.append({"label": entry_label, "url": url, "badge": sum(counts.get(code, 0) for code in codes)})
        if items:
            built.append({"label": label, "items": items, "badge": sum(i["badge"] for i in items)})
    current = _current(request.path, [item["url"] for group in built for item in group["items"]])
    for group in built:
        for item in group["items"]:
            item["active"] = item["url"] == current
        group["active"] = any(item["active"] for item in group["items"])
    return built[:MAX_TOP_LEVEL]


def user_menu() -> list[dict]:
    return [{"label": label, "url": url} for label, name in USER_MENU if (url := _resolve(name))]
