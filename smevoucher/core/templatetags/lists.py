from django import template

from smevoucher.core.lists import badge_text

register = template.Library()


@register.filter
def badge(count):
    """{{ 120|badge }} → 99+ (to-do counts are bounded, issue 16; see core.lists.BADGE_LIMIT)."""
    return badge_text(count)


@register.inclusion_tag("_page_links.html", takes_context=True)
def page_links(context, page):
    """Numbered page links (first, last and two each side of the current page), keeping the other parameters."""
    numbers = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)) if page else []
    return {
        "page": page,
        "numbers": numbers,
        "ellipsis": page.paginator.ELLIPSIS if page else "",
        "request": context.get("request"),
    }
