"""Pictures for the photo tests, made here: phone-like JPEGs full of metadata, and hostile files."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

GPS_LATITUDE = (51.0, 30.0, 26.4)
SECRET_XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
              b'photoshop:City="SecretTown"/></rdf:RDF></x:xmpmeta>')
SECRET_COMMENT = b"Taken at 1 Secret Street"
SECRET_MAKE = "SecretPhoneMaker"
# What must not appear anywhere in a rendition: EXIF and its GPS block, XMP, ICC, comments.
TELLTALES = (b"Exif", b"EXIF", b"XMP ", b"xmpmeta", b"SecretTown", b"ICCP", b"acsp",
             SECRET_COMMENT, SECRET_MAKE.encode(), b"GPS")


def scene(width: int = 800, height: int = 600, seed: int = 0) -> Image.Image:
    """A simple picture with enough detail to be a plausible photo."""
    image = Image.new("RGB", (width, height), (200 - seed % 50, 190, 170))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(120, 90, 60))  # a worktop
    for index in range(6):
        x = (index + 1) * width // 8
        draw.ellipse((x, height // 2, x + width // 12, height // 2 + height // 10),
                     fill=(240, 240, 240), outline=(40, 40, 40))
    return image


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = SECRET_MAKE  # Make
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    return exif


# Made once: a new profile carries the time it was made, and the same photo must give the
# same bytes (a retry is recognised by the file's hash).
_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def icc_profile() -> bytes:
    return _ICC


def phone_jpeg(width: int = 800, height: int = 600, orientation: int = 1,
               image: Image.Image | None = None, quality: int = 90) -> bytes:
    """A JPEG as a phone makes one: EXIF with GPS, XMP, an ICC profile and a comment."""
    out = io.BytesIO()
    (image or scene(width, height)).save(
        out, "JPEG", quality=quality, exif=exif_with_gps(orientation), icc_profile=icc_profile(),
        xmp=SECRET_XMP, comment=SECRET_COMMENT)
    return out.getvalue()


def phone_png(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    scene(width, height).save(out, "PNG", exif=exif_with_gps(), icc_profile=icc_profile(),
                              pnginfo=_png_text())
    return out.getvalue()


def phone_webp(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    scene(width, height).save(out, "WEBP", exif=exif_with_gps(), icc_profile=icc_profile(),
                              xmp=SECRET_XMP)
    return out.getvalue()


def _png_text() -> PngInfo:
    info = PngInfo()
    info.add_text("Comment", SECRET_COMMENT.decode())
    info.add_text("XML:com.adobe.xmp", SECRET_XMP.decode())
    return info


def small_jpeg(seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    scene(*size, seed=seed).save(out, "JPEG", quality=85)
    return out.getvalue()


def encode(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels and holds almost nothing (a bomb's header)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _chunk(b"IEND", b""))


def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """A real, valid PNG of width x height black pixels that compresses to a few kilobytes."""
    row = b"\x00" + b"\x00" * (width * 3)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body)
            + _chunk(b"IEND", b""))


def jpeg_claiming(width: int, height: int) -> bytes:
    """A JPEG whose frame header claims width x height (the rest is a tiny real image)."""
    data = bytearray(small_jpeg())
    marker = data.index(b"\xff\xc0")
    data[marker + 5:marker + 9] = struct.pack(">HH", height, width)
    return bytes(data)


GIF = encode(scene(32, 32).convert("P"), "GIF")
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script></svg>')
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
# Polyglots: a GIF that is also JavaScript, and an HTML page with a JPEG inside it.
GIF_JS_POLYGLOT = b"GIF89a/*\x0a\x00\x0a\x00\x00\x00\x00;*/=1;alert(document.cookie);//" + GIF[10:]
HTML_JPEG_POLYGLOT = b"<html><script>alert(1)</script><!--" + small_jpeg() + b"-->"
# A JPEG with a page after its end-of-image marker (as some phones append a video).
JPEG_WITH_HTML_TAIL = small_jpeg() + HTML
