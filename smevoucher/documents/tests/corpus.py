"""Test files made by the tests themselves (R15 corpus): good and bad materials, as (name, bytes)."""

import io
import os
import struct
import zipfile
import zlib

from PIL import Image, ImageDraw
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject, TextStringObject


def pdf(*sizes: tuple[int, int]) -> bytes:
    """Blank pages of the given sizes (points): the sizes let tests tell the pages apart after a merge."""
    writer = PdfWriter()
    for width, height in sizes or [(595, 842)]:
        writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def colour_image(fmt: str, size=(800, 1000)) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((50, 50, size[0] - 50, 200), fill=(30, 90, 200))
    draw.ellipse(
        (size[0] // 2 - 100, size[1] - 300, size[0] // 2 + 100, size[1] - 100), outline=(220, 20, 20), width=12
    )
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def grey_scan() -> bytes:
    image = Image.new("L", (800, 1000), 245)
    ImageDraw.Draw(image).rectangle((50, 50, 750, 200), fill=40)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG")  # a grey scan saved as RGB is still grey
    return out.getvalue()


def tiny_image() -> bytes:
    return colour_image("PNG", size=(120, 90))


def noise_png(megabytes: int = 6) -> bytes:
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 10
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def exe() -> bytes:
    header = b"MZ" + b"\x90\x00" * 29 + struct.pack("<I", 0x80)
    return header + b"\x00" * (0x80 - len(header)) + b"PE\x00\x00" + b"\x00" * 512


def html() -> bytes:
    return b"<!DOCTYPE html><html><head><script>alert(1)</script></head><body>invoice</body></html>"


def zip_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("invoice.txt", "not an image")
    return out.getvalue()


def truncated_pdf() -> bytes:
    content = pdf((595, 842), (595, 842), (595, 842))
    return content[: len(content) // 2]


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_with_open_action(action: dict) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    entries = {NameObject(key): value for key, value in action.items()}
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(DictionaryObject(entries))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def javascript_pdf() -> bytes:
    return _pdf_with_open_action({"/S": NameObject("/JavaScript"), "/JS": TextStringObject("app.alert('hello');")})


def launch_pdf() -> bytes:
    return _pdf_with_open_action({"/S": NameObject("/Launch"), "/F": TextStringObject("calc.exe")})


def png_bomb(side: int = 40000) -> bytes:
    """A tiny PNG that claims side×side pixels: opening it must be refused before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * side
    idat = zlib.compress(row * 16, 9)
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _png(width: int, height: int, row_bytes) -> bytes:
    """A PNG built row by row through a streaming compressor: a small file for a huge picture, made without ever
    holding the picture in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(6)
    parts = [compressor.compress(b"\x00" + row_bytes(y)) for y in range(height)]
    idat = b"".join(parts) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def high_pixel_png(side: int = 7700) -> bytes:
    """Issue 14's upload: a valid, colourful side×side PNG of about 200 KB (a red band on white)."""
    white, red = b"\xff\xff\xff" * side, b"\xd0\x20\x20" * side
    return _png(side, side, lambda y: red if (y // 200) % 5 == 0 else white)


def colourful_png(width: int, height: int) -> bytes:
    band = b"\x20\x60\xd0" * (width // 4) + b"\xff\xff\xff" * (width - width // 4)
    return _png(width, height, lambda y: band)


def many_objects_pdf(objects: int = 95_000) -> bytes:
    """A one-page PDF with `objects` small objects in its cross-reference table (issue 14: 3–4 s to check)."""
    header = b"%PDF-1.4\n"
    body, offsets = [header], []
    position = len(header)

    def add(number: int, data: bytes):
        nonlocal position
        offsets.append(position)
        piece = b"%d 0 obj " % number + data + b" endobj\n"
        body.append(piece)
        position += len(piece)

    add(1, b"<< /Type /Catalog /Pages 2 0 R /Filler [" + b" ".join(b"%d 0 R" % n for n in range(4, 4 + 50)) + b"] >>")
    add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    for number in range(4, objects + 1):
        add(number, b"0")
    xref = [b"xref\n0 %d\n" % (objects + 1), b"0000000000 65535 f \n"]
    xref += [b"%010d 00000 n \n" % offset for offset in offsets]
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (objects + 1, position)
    return b"".join(body + xref + [trailer])


def expanding_pdf(megabytes: int = 80) -> bytes:
    """A one-page PDF whose content stream inflates to more than pypdf's decompression limit (75 MB)."""
    compressor = zlib.compressobj(9)
    chunk_ = b" " * (1024 * 1024)
    data = b"".join(compressor.compress(chunk_) for _ in range(megabytes)) + compressor.flush()
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = StreamObject()
    stream._data = data
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_with(root_entries: dict | None = None, page_entries: dict | None = None) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    for key, value in (root_entries or {}).items():
        writer._root_object[NameObject(key)] = writer._add_object(value)
    for key, value in (page_entries or {}).items():
        page[NameObject(key)] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xfa_pdf() -> bytes:
    xfa = StreamObject()
    xfa._data = b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><script>app.alert(1)</script></xdp:xdp>'
    form = DictionaryObject({NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): xfa})
    return _pdf_with({"/AcroForm": form})


def embedded_file_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ not really a program")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def file_attachment_annotation_pdf() -> bytes:
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(20), NumberObject(20)]),
        }
    )
    return _pdf_with(page_entries={"/Annots": ArrayObject([annotation])})


def uri_link_pdf() -> bytes:
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://evil.example/")}
    )
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(20), NumberObject(20)]),
            NameObject("/A"): action,
        }
    )
    return _pdf_with(page_entries={"/Annots": ArrayObject([annotation])})


def remote_goto_pdf() -> bytes:
    return _pdf_with_open_action({"/S": NameObject("/GoToR"), "/F": TextStringObject("other.pdf")})


def submit_form_pdf() -> bytes:
    return _pdf_with_open_action({"/S": NameObject("/SubmitForm"), "/F": TextStringObject("https://evil.example/")})
