from smevoucher.notices.selectors import unread_count

from . import navigation as nav


def navigation(request):
    user = getattr(request, "user", None)
    groups = nav.build(request)
    return {
        "unread_notifications": unread_count(user),
        "nav_groups": groups,
        "nav_badge_total": sum(group["badge"] for group in groups),
        "user_menu": nav.user_menu() if user is not None and user.is_authenticated else [],
    }
