from django.urls import reverse

from smevoucher.core import access
from smevoucher.notices.selectors import unread_count

from .navigation import BY_KIND, PUBLIC


def navigation(request):
    user = getattr(request, "user", None)
    items = list(PUBLIC)
    kind = access.organisation_kind(user)
    if kind and (not user.requires_two_factor or user.is_verified()):
        items += BY_KIND.get(kind, [])
    current = request.path
    return {
        "unread_notifications": unread_count(user),
        "nav_items": [
            {"label": label, "url": (url := reverse(name)), "active": current == url} for label, name in items
        ],
    }
