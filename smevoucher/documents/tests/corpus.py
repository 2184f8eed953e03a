"""Test files made by the tests themselves (R15 corpus): good and bad materials, as (name, bytes)."""

import io
import os
import struct
import zipfile
import zlib

from PIL import Image, ImageDraw
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


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
