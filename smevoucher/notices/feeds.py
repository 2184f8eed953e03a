from django.contrib.syndication.views import Feed
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import selectors

SUMMARY_CHARS = 500


class NoticeRssFeed(Feed):
    """The public notice board as RSS 2.0 (Atom below); `?city=440100` limits it to a city (and the province)."""

    title = _("Notices of the SME Service Voucher Platform")
    description = _("Policy, batch announcements, allocation and redemption results.")

    def get_object(self, request):
        return request.GET.get("city", "")

    def link(self):
        return reverse("notices:list")

    def items(self, city_code):
        return selectors.filter_notices(selectors.public_notices(), city_code=city_code)[:50]

    def item_title(self, notice):
        return notice.title

    def item_description(self, notice):
        """A plain-text summary: the body is text, never HTML, so it is escaped here as on the notice page (a
        feed reader renders the description as HTML; a "<a href=javascript:…>" in a body stays visible text)."""
        return linebreaks_filter(Truncator(notice.body).chars(SUMMARY_CHARS), autoescape=True)

    def item_link(self, notice):
        return reverse("notices:detail", args=[notice.pk])

    def item_pubdate(self, notice):
        return notice.published_at

    def item_updateddate(self, notice):
        return notice.published_at

    def item_categories(self, notice):
        return [notice.get_category_display()]

    def item_author_name(self, notice):
        return notice.publisher.name


class NoticeAtomFeed(NoticeRssFeed):
    feed_type = Atom1Feed
    subtitle = NoticeRssFeed.description
