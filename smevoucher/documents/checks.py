"""Content checks for uploaded materials (R15), by content, never by file name.

Each function takes bytes and either returns what it learned or raises `FileRefused` with a reason in the
user's language. Nothing here stores anything.

Checking is bounded (issue 14): a `Budget` per material caps the pixels of each image and of the material, the
pages and objects of a PDF, and the time spent; sizes are read from headers and the cross-reference table before
anything is decoded, so a small file that claims a huge picture or 95,000 objects costs next to nothing.
"""

from __future__ import annotations

import io
import re
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from smevoucher.core.errors import ValidationFailed

if TYPE_CHECKING:
    from pypdf import PdfReader

# The PDF libraries (pypdf, PDFium, img2pdf) are imported by the functions that use them: together they take
# about 0.15 s to import, which every process would pay at start-up (a worker, each scheduled command).

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
ACCEPTED = {PDF, JPEG, PNG}

# Active content a material never needs, refused (not stripped: a material is evidence, kept byte for byte and
# fingerprinted as uploaded; and the user can always print or scan it again without it). Key → reason code.
ACTIVE_KEYS = {
    "/JS": "script",
    "/JavaScript": "script",
    "/Launch": "launch",
    "/RichMedia": "media",
    "/XFA": "xfa",  # XML forms, which carry their own scripts
    "/EmbeddedFiles": "attachment",
    "/EmbeddedFile": "attachment",
}
ACTIVE_ACTIONS = {
    "/JavaScript": "script",
    "/Launch": "launch",
    "/RichMediaExecute": "media",
    "/Rendition": "media",
    "/ImportData": "form",
    "/SubmitForm": "form",
    "/URI": "link",
    "/GoToR": "link",  # open another file
    "/GoToE": "attachment",  # open an embedded file
}
DECLARED_SIZE = re.compile(rb"/Size\s+(\d{1,9})\b")
ACTIVE_SUBTYPES = {"/FileAttachment": "attachment", "/RichMedia": "media", "/Screen": "media", "/Movie": "media"}


class FileRefused(ValidationFailed):
    """One file refused, naming the file and the reason."""

    code = "file_refused"

    def __init__(self, name: str, reason: str):
        message = _("“%(name)s”: %(reason)s") % {"name": name, "reason": reason}
        super().__init__(message, fields={"files": [message]})


class Budget:
    """What checking one material may cost; `spend_*` raise FileRefused naming the file that went over."""

    def __init__(self):
        self.pixels = 0
        self.pages = 0
        self.started = time.monotonic()

    def spend_pixels(self, name: str, width: int, height: int) -> None:
        self.require_image_pixels(name, width, height)
        self.pixels += width * height
        if self.pixels > settings.DOCUMENTS_MAX_MATERIAL_PIXELS:
            raise FileRefused(
                name,
                _("the images of this material have too many pixels together (at most %(mp)s million).")
                % {"mp": settings.DOCUMENTS_MAX_MATERIAL_PIXELS // 1_000_000},
            )

    def require_image_pixels(self, name: str, width: int, height: int) -> None:
        limit = settings.DOCUMENTS_MAX_IMAGE_PIXELS
        if width * height > limit:
            raise FileRefused(
                name,
                _(
                    "the image has too many pixels (%(w)s×%(h)s, at most %(mp)s million per image). "
                    "Scan at 300 dpi or reduce the photo's resolution."
                )
                % {"w": width, "h": height, "mp": limit // 1_000_000},
            )

    def spend_pages(self, name: str, pages: int) -> None:
        self.pages += pages
        if self.pages > settings.DOCUMENTS_MAX_PAGES:
            raise FileRefused(
                name, _("the material has too many pages (at most %(n)s).") % {"n": settings.DOCUMENTS_MAX_PAGES}
            )

    def check_time(self, name: str) -> None:
        if time.monotonic() - self.started > settings.DOCUMENTS_CHECK_SECONDS:
            raise FileRefused(name, _("the file takes too long to check. Save or scan it again in a simpler form."))


@dataclass
class Inspected:
    name: str
    content: bytes
    content_type: str
    pages: int


def sniff(name: str, content: bytes) -> str:
    kind = filetype.guess(content[:8192])
    mime = kind.mime if kind else None
    if mime == PDF and not content.lstrip()[:5] == b"%PDF-":
        mime = None
    if mime not in ACCEPTED:
        raise FileRefused(name, _("only PDF, JPG or PNG files are accepted (this file is of another type)."))
    return mime


def inspect(name: str, content: bytes, budget: Budget | None = None) -> Inspected:
    budget = budget or Budget()
    if not content:
        raise FileRefused(name, _("the file is empty."))
    mime = sniff(name, content)
    if mime == PDF:
        inspected = Inspected(name, content, mime, inspect_pdf(name, content, budget))
    else:
        inspect_image(name, content, budget)
        budget.spend_pages(name, 1)
        inspected = Inspected(name, content, mime, 1)
    budget.check_time(name)
    return inspected


def inspect_image(name: str, content: bytes, budget: Budget | None = None) -> None:
    budget = budget or Budget()
    Image.MAX_IMAGE_PIXELS = settings.DOCUMENTS_MAX_IMAGE_PIXELS  # Pillow's own guard stays as a backstop
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the budget below says it better
            with Image.open(io.BytesIO(content)) as image:  # reads the header only
                width, height = image.size
                budget.spend_pixels(name, width, height)
                image.verify()  # structure and checksums, without decoding
            with Image.open(io.BytesIO(content)) as image:
                if image.format == "JPEG":
                    image.draft("RGB", (1024, 1024))  # decode at a reduced scale: all the data, less memory
                image.load()  # a truncated file fails here
                colourful = _is_colour(image)
    except Image.DecompressionBombError:
        raise FileRefused(name, _("the image is too large to process (too many pixels).")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise FileRefused(name, _("the image is damaged or incomplete.")) from None
    minimum = settings.DOCUMENTS_MIN_IMAGE_SIDE
    if min(width, height) < minimum:
        raise FileRefused(
            name,
            _("the image is too small to read (%(w)s×%(h)s pixels; the shorter side needs at least %(min)s).")
            % {"w": width, "h": height, "min": minimum},
        )
    if not colourful:
        raise FileRefused(name, _("the image is not in colour. Upload a colour scan or photo."))


def _is_colour(image: Image.Image) -> bool:
    """A colour scan, not a grey one saved as RGB: a visible share of clearly coloured pixels (a red seal on
    a white page is enough), ignoring the unstable hue of near-black pixels."""
    if image.mode in {"1", "L", "LA", "I", "I;16", "F"}:
        return False
    image.thumbnail((256, 256))  # in place, before any full-size copy is made
    hsv = image.convert("RGB").convert("HSV")
    saturations, values = hsv.getchannel("S").tobytes(), hsv.getchannel("V").tobytes()
    coloured = sum(1 for saturation, value in zip(saturations, values, strict=True) if saturation > 40 and value > 60)
    return coloured / len(saturations) >= 0.002


def active_content_reasons():
    return {
        "script": _("the PDF contains scripts (JavaScript), which are not allowed."),
        "launch": _("the PDF contains actions that start programs, which are not allowed."),
        "media": _("the PDF contains embedded media or multimedia actions, which are not allowed."),
        "xfa": _("the PDF is an XFA form, which can carry scripts. Print it to a plain PDF and upload that."),
        "attachment": _("the PDF contains embedded files or attachments, which are not allowed."),
        "form": _("the PDF contains form actions that send or import data, which are not allowed."),
        "link": _(
            "the PDF contains links that open web addresses or other files, which are not allowed. "
            "Print it to a new PDF (or scan it) and upload that."
        ),
    }


def inspect_pdf(name: str, content: bytes, budget: Budget | None = None) -> int:
    budget = budget or Budget()
    if b"%%EOF" not in content[-2048:]:
        raise FileRefused(name, _("the PDF is damaged or incomplete."))
    _require_few_objects(name, max(map(int, DECLARED_SIZE.findall(content[-4096:])), default=0))
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)  # reads the cross-reference table, no object yet
        _require_few_objects(name, _declared_objects(reader))
        _require_few_objects(name, len(reader.xref_objStm) + sum(map(len, reader.xref.values())))
        if reader.is_encrypted:
            raise FileRefused(name, _("the PDF is encrypted or password-protected. Upload it without a password."))
        pages = len(reader.pages)
        budget.spend_pages(name, pages)
        for page in reader.pages:
            page.get_contents()
            budget.check_time(name)
        reason = _active_content(reader, budget, name)
        if reason:
            raise FileRefused(name, active_content_reasons()[reason])
    except FileRefused:
        raise
    except LimitReachedError:
        raise FileRefused(name, _("the PDF's content expands too much to be checked. Print it to a new PDF.")) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise FileRefused(name, _("the PDF is damaged or incomplete.")) from None
    if pages == 0:
        raise FileRefused(name, _("the PDF has no pages."))
    check_scanned_pages(name, content, budget)
    return pages


SCAN_RENDER_SIDE = 400  # pixels on the longer side: enough to tell colour, cheap for 200 pages


def check_scanned_pages(name: str, content: bytes, budget: Budget) -> None:
    """The seed's "colour, clear" for PDFs too (issue 15): a scanned page — no text layer, a picture covering
    most of the page — gets the checks an uploaded image gets: its picture's pixels count against the budget
    and need the minimum side, and the page, rendered small with PDFium, must be in colour. Pages with a text
    layer (made by a program, not a scanner) and pages without a large picture pass."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError:
        raise FileRefused(name, _("the PDF is damaged or incomplete.")) from None
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                _check_scanned_page(name, index + 1, page, budget)
            finally:
                page.close()
            budget.check_time(name)
    except pdfium.PdfiumError:
        raise FileRefused(name, _("the PDF is damaged or incomplete.")) from None
    finally:
        document.close()


def _check_scanned_page(name: str, number: int, page, budget: Budget) -> None:
    import pypdfium2.raw as pdfium_c

    text = page.get_textpage()
    has_text = text.count_chars() > 0
    text.close()
    if has_text:
        return
    page_width, page_height = page.get_size()
    picture = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) >= 0.5 * page_width * page_height:
            width, height = obj.get_px_size()
            if picture is None or width * height > picture[0] * picture[1]:
                picture = (width, height)
    if picture is None:
        return
    width, height = picture
    # Before rendering decodes it. Only the per-image limit: pages are rendered one at a time and small, so a
    # long scanned PDF (30 pages at 300 dpi) is not held against the material's total, as merged images are.
    budget.require_image_pixels(name, width, height)
    minimum = settings.DOCUMENTS_MIN_IMAGE_SIDE
    if min(width, height) < minimum:
        raise FileRefused(
            name,
            _(
                "page %(page)s is a scan too small to read (%(w)s×%(h)s pixels; the shorter side needs at least "
                "%(min)s). Scan it again at 150 dpi or more."
            )
            % {"page": number, "w": width, "h": height, "min": minimum},
        )
    bitmap = page.render(scale=SCAN_RENDER_SIDE / max(page_width, page_height, 1))
    colourful = _is_colour(bitmap.to_pil())
    bitmap.close()
    if not colourful:
        raise FileRefused(
            name, _("page %(page)s is a scan that is not in colour. Upload a colour scan.") % {"page": number}
        )


def _require_few_objects(name: str, objects: int) -> None:
    """Object counts from the trailer's /Size (read from the raw tail before parsing, then from the parsed trailer)
    and from the cross-reference table: a PDF with more objects is refused before any of them is read."""
    if objects > settings.DOCUMENTS_MAX_PDF_OBJECTS:
        raise FileRefused(
            name,
            _("the PDF is too complex to check (%(n)s objects, at most %(max)s). Print it to a new PDF.")
            % {"n": objects, "max": settings.DOCUMENTS_MAX_PDF_OBJECTS},
        )


def _declared_objects(reader: PdfReader) -> int:
    size = reader.trailer.get("/Size", 0)
    return size if isinstance(size, int) else 0


def _active_content(reader: PdfReader, budget: Budget, name: str) -> str | None:
    """Walk every object reachable from the trailer; the reason code of the first active content met."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    walked = 0
    while stack:
        walked += 1
        if walked % 1000 == 0:
            budget.check_time(name)
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                if key in ACTIVE_KEYS:
                    return ACTIVE_KEYS[key]
                if key in {"/S", "/Subtype"} and isinstance(value, NameObject):
                    found = (ACTIVE_ACTIONS if key == "/S" else ACTIVE_SUBTYPES).get(value)
                    if found:
                        return found
                if key != "/Parent":
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


def image_to_pdf(content: bytes) -> bytes:
    import img2pdf

    return img2pdf.convert(content, rotation=img2pdf.Rotation.ifvalid)
