"""PDFs from HTML templates (WeasyPrint) with the shipped CJK font embedded, so Chinese renders the same in
any viewer and its text can be extracted (forms to print: commitment letter, redemption application, …)."""

from pathlib import Path

from django.template.loader import render_to_string

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "NotoSansSC-Regular-GB2312.otf"
FONT_FAMILY = "SME Noto Sans SC"

BASE_CSS = f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{FONT_FILE.as_uri()}"); }}
@page {{ size: A4; margin: 22mm 20mm; }}
html {{ font-family: "{FONT_FAMILY}", "Noto Sans CJK SC", sans-serif; font-size: 11pt; line-height: 1.6; }}
"""


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """Render a Django template to HTML and that to PDF bytes. Templates extend "pdf/base.html", which
    sets the page size and the font; they must not load anything from the network (none is fetched)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template_name, context or {}, request=request)
    fonts = FontConfiguration()
    fetcher = _local_only_fetcher()
    document = HTML(string=html, base_url=str(FONT_DIR), url_fetcher=fetcher)
    stylesheet = CSS(string=BASE_CSS, font_config=fonts, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)


def _local_only_fetcher():
    """Only our own font file may be loaded: a template can never make the server fetch a URL or read a file."""
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url != FONT_FILE.as_uri():
                raise ValueError(f"PDF templates may not load {url}")
            return super().fetch(url, headers)

    return LocalOnly()
