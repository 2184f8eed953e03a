from django.utils.functional import SimpleLazyObject

from smevoucher.notices.selectors import unread_count

from . import navigation as nav


def navigation(request):
    """The menu with its badges, built only when a template shows it (not for htmx fragments such as the gauge)."""
    user = getattr(request, "user", None)
    groups = SimpleLazyObject(lambda: nav.build(request))
    return {
        "unread_notifications": unread_count(user),
        "nav_groups": groups,
        "nav_badge_total": SimpleLazyObject(lambda: sum(group["badge"] for group in groups)),
        "user_menu": nav.user_menu() if user is not None and user.is_authenticated else [],
    }
