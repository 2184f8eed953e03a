"""Content checks for uploaded materials (R15), by content, never by file name.

Each function takes bytes and either returns what it learned or raises `FileRefused` with a reason in the
user's language. Nothing here stores anything.
"""

import io
import warnings
from dataclasses import dataclass

import filetype
import img2pdf
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from smevoucher.core.errors import ValidationFailed

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
ACCEPTED = {PDF, JPEG, PNG}

# Names that make a PDF run code or other programs when opened.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/Launch", "/RichMedia"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
MAX_OBJECTS_WALKED = 200_000


class FileRefused(ValidationFailed):
    """One file refused, naming the file and the reason."""

    code = "file_refused"

    def __init__(self, name: str, reason: str):
        message = _("“%(name)s”: %(reason)s") % {"name": name, "reason": reason}
        super().__init__(message, fields={"files": [message]})


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


def inspect(name: str, content: bytes) -> Inspected:
    if not content:
        raise FileRefused(name, _("the file is empty."))
    mime = sniff(name, content)
    if mime == PDF:
        return Inspected(name, content, mime, inspect_pdf(name, content))
    inspect_image(name, content)
    return Inspected(name, content, mime, 1)


def inspect_image(name: str, content: bytes) -> None:
    Image.MAX_IMAGE_PIXELS = settings.DOCUMENTS_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                image.verify()  # structure and checksums, without decoding
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                image.load()  # a truncated file fails here
                colourful = _is_colour(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
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
    thumb = image.convert("RGB")
    thumb.thumbnail((256, 256))
    hsv = thumb.convert("HSV")
    saturations, values = hsv.getchannel("S").tobytes(), hsv.getchannel("V").tobytes()
    coloured = sum(1 for saturation, value in zip(saturations, values, strict=True) if saturation > 40 and value > 60)
    return coloured / len(saturations) >= 0.002


def inspect_pdf(name: str, content: bytes) -> int:
    if b"%%EOF" not in content[-2048:]:
        raise FileRefused(name, _("the PDF is damaged or incomplete."))
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise FileRefused(name, _("the PDF is encrypted or password-protected. Upload it without a password."))
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
        if _has_active_content(reader):
            raise FileRefused(name, _("the PDF contains scripts or actions that run programs, which are not allowed."))
    except FileRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise FileRefused(name, _("the PDF is damaged or incomplete.")) from None
    if pages == 0:
        raise FileRefused(name, _("the PDF has no pages."))
    return pages


def _has_active_content(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer and look for script or launch actions."""
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    walked = 0
    while stack:
        walked += 1
        if walked > MAX_OBJECTS_WALKED:
            return True  # refuse what we cannot fully examine
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
                    return True
                if key == "/S" and isinstance(value, NameObject) and value in ACTIVE_ACTIONS:
                    return True
                if key != "/Parent":
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return False


def image_to_pdf(content: bytes) -> bytes:
    return img2pdf.convert(content, rotation=img2pdf.Rotation.ifvalid)
