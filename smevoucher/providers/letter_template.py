"""The commitment letter template (R3) as a PDF in Chinese, for the page and the API alike."""

from django.http import Http404

from smevoucher.core import clock
from smevoucher.core.pdf import render_pdf
from smevoucher.directory.selectors import eligibility

from . import selectors

# 服务机构承诺书.pdf, percent-encoded for Content-Disposition
FILENAME = "%E6%9C%8D%E5%8A%A1%E6%9C%BA%E6%9E%84%E6%89%BF%E8%AF%BA%E4%B9%A6.pdf"


def commitment_letter_pdf(user, name: str = "") -> bytes:
    """Prefilled with the organisation's name: a logged-in provider's own name, or an eligible name during
    registration; any other name is "not found"."""
    provider = selectors.provider_of(user) if user.is_authenticated else None
    if provider is not None:
        name = provider.name
    else:
        result = eligibility(name or "")
        if not result.eligible:
            raise Http404
        name = result.entry.name
    return render_pdf("providers/commitment_letter_pdf.html", {"name": name, "year": clock.today().year})
