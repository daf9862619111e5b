"""Turn an uploaded photo into clean renditions: bytes in, WebP bytes out.

Pure (no Flask, no database), so the benchmark and the property tests use it as it is.

The steps, in the order that keeps a 12-megapixel phone photo cheap and a hostile file harmless:
1. the kind of file is read from its first bytes (never from its name); only JPEG, PNG and
   WebP go on;
2. the header alone gives the dimensions, which are checked before any pixel is decoded
   (Pillow's decompression-bomb limit is set to the same bound and its warning is an error);
3. a JPEG is decoded straight at a reduced scale (`Image.draft`: libjpeg's DCT scaling), just
   large enough for the display rendition; other formats are decoded and reduced once;
4. the EXIF orientation is applied to the reduced image, colours in an embedded ICC profile are
   converted to sRGB, and the image is **rebuilt from its pixels**, so no EXIF, GPS, XMP, ICC
   profile or comment can survive;
5. the display rendition (long edge <= 1600 px) is encoded as WebP, and the thumbnail (long
   edge <= 320 px) is made from it, not from the original.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageCms, JpegImagePlugin

log = logging.getLogger(__name__)

DISPLAY_EDGE = 1600
THUMB_EDGE = 320
DISPLAY_QUALITY = 80
THUMB_QUALITY = 72
ORIGINAL_QUALITY = 92
# libwebp's effort (0 fastest .. 6 smallest). 1 encodes three to four times faster than the
# default of 4 for display files a few per cent larger (measured with bench/photos.py).
WEBP_METHOD = 1
CONTENT_TYPE = "image/webp"
ORIGINAL_CONTENT_TYPE = "image/jpeg"

# The largest picture accepted: 50 megapixels covers the 48 and 50 MP modes of current phones
# (8160 x 6120). Decoding one is bounded (a JPEG is decoded at a reduced scale anyway).
MAX_PIXELS = 50_000_000
# PNG and WebP have no reduced-scale decoding: every pixel is decoded (about 1.2 s and 150 MB
# for 50 MP), and no phone camera saves them. A phone's or tablet's screenshot is 3-6 MP, so
# these are held to 16 MP, judged from the header before any pixel is decoded.
MAX_FULL_DECODE_PIXELS = 16_000_000
MAX_EDGE = 16_383  # WebP cannot hold a longer edge
MAX_ASPECT = 20  # a panorama is 4-8:1; 20:1 is no photo of a room

# Deliberate, process-wide: Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that,
# as soon as it has read a header. Our own check (_check_dimensions) answers first, naming the
# dimensions; Pillow's guard stays as a backstop just above it, and its warning is made an
# error so that no code path anywhere in the process decodes a bomb.
Image.MAX_IMAGE_PIXELS = 2 * MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

ACCEPTED = ("JPEG", "PNG", "WEBP")
_ORIENTATION = ExifTags.Base.Orientation
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ImageRefused(Exception):
    """The upload is not a photo Homelog accepts; `status` and `code` are for the API."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int
    content_type: str = CONTENT_TYPE


@dataclass(frozen=True)
class Renditions:
    """What an upload becomes. `original` only when the partnership keeps one (stripped too)."""

    display: Rendition
    thumb: Rendition
    original: Rendition | None
    source_format: str
    source_width: int
    source_height: int


# --- what was received ----------------------------------------------------------------------

def sniff(data: bytes) -> str:
    """The format by content: "JPEG", "PNG" or "WEBP"; anything else is refused (415)."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if not data:
        raise ImageRefused(422, "invalid", "The file is empty.")
    raise ImageRefused(
        415, "unsupported_media_type",
        f"Received {describe(data)}; only JPEG, PNG or WebP photos are accepted.",
    )


_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"%PDF", 0, "a PDF document"),
    (b"BM", 0, "a BMP image"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"PK\x03\x04", 0, "a ZIP archive (or an Office document)"),
    (b"\x00\x00\x01\x00", 0, "an icon file"),
    (b"8BPS", 0, "a Photoshop document"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"\xff\x0a", 0, "a JPEG XL image"),
    (b"\x00\x00\x00\x0cJXL ", 0, "a JPEG XL image"),
)
_BRANDS = {b"heic": "a HEIC photo", b"heix": "a HEIC photo", b"mif1": "a HEIF image",
           b"msf1": "a HEIF image", b"avif": "an AVIF image", b"qt  ": "a QuickTime video"}


def describe(data: bytes) -> str:
    """Words for what a refused file looks like, for the error message."""
    for signature, offset, name in _SIGNATURES:
        if data[offset:offset + len(signature)] == signature:
            return name
    if data[4:8] == b"ftyp":
        return _BRANDS.get(data[8:12], "a video or HEIF file")
    if data[:4] == b"RIFF":
        return "a RIFF file that is not WebP"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "an SVG drawing"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "an HTML page"
    if head.startswith(b"<"):
        return "a markup (XML or HTML) document"
    try:
        data[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "data in an unrecognised format"
    return "plain text"


# --- reading the picture --------------------------------------------------------------------

def pixel_limit(kind: str) -> int:
    """The most pixels accepted in a file of this kind (JPEG, PNG, WEBP)."""
    return MAX_PIXELS if kind == "JPEG" else MAX_FULL_DECODE_PIXELS


def _check_dimensions(width: int, height: int, kind: str) -> None:
    long_edge, short_edge = max(width, height), min(width, height)
    limit = pixel_limit(kind)
    if width * height > limit or long_edge > MAX_EDGE:
        kind_words = "" if kind == "JPEG" else f" for a {kind.replace('WEBP', 'WebP')}"
        raise ImageRefused(
            422, "image_too_large",
            f"The image is {width} x {height} pixels; the most accepted{kind_words} is "
            f"{limit // 1_000_000} megapixels and {MAX_EDGE} pixels along an edge.",
        )
    if short_edge < 1 or long_edge > MAX_ASPECT * short_edge:
        raise ImageRefused(
            422, "image_dimensions",
            f"The image is {width} x {height} pixels, which is not the shape of a photo.",
        )


def _fit(width: int, height: int, edge: int) -> tuple[int, int]:
    """The size that fits within `edge` x `edge` keeping the aspect ratio (never enlarged)."""
    scale = edge / max(width, height)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # a damaged EXIF block loses only the rotation hint
        return 1
    return value if isinstance(value, int) else 1


def _icc_profile(image: Image.Image) -> bytes | None:
    profile = image.info.get("icc_profile")
    return profile if isinstance(profile, bytes) and profile else None


def _to_rgb(image: Image.Image) -> Image.Image:
    """Three 8-bit channels; transparency is flattened onto white (photos have none)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        # 16-bit greyscale: scale to 8 bits rather than clip.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGB")


def _to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """Convert from the embedded colour profile to sRGB (what every screen assumes)."""
    if profile is None:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        if "srgb" in ImageCms.getProfileDescription(source).lower():
            return image
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unusable profile is dropped; the pixels are kept as they are
    return converted if converted is not None else image


def _rebuilt(image: Image.Image) -> Image.Image:
    """A new image made from the pixels alone: no info, EXIF, ICC, XMP or comment attached."""
    return Image.frombytes("RGB", image.size, image.tobytes())


def _encode(image: Image.Image, quality: int, *, kind: str = "WEBP") -> Rendition:
    clean = _rebuilt(image)
    out = io.BytesIO()
    if kind == "WEBP":
        clean.save(out, "WEBP", quality=quality, method=WEBP_METHOD)
        return Rendition(out.getvalue(), clean.width, clean.height)
    clean.save(out, "JPEG", quality=quality, optimize=True)
    return Rendition(out.getvalue(), clean.width, clean.height, ORIGINAL_CONTENT_TYPE)


def _decoded(data: bytes, kind: str, *, reduce_to: int | None) -> tuple[Image.Image, int, tuple]:
    """Open, check, and decode (a JPEG at the smallest DCT scale still >= `reduce_to`).

    Returns the RGB pixels in stored orientation, the EXIF orientation and the source size.
    """
    image = Image.open(io.BytesIO(data), formats=[kind])
    source_size = image.size
    _check_dimensions(*source_size, kind)
    orientation = _orientation(image)
    profile = _icc_profile(image)
    image.seek(0)  # the first frame of an animation
    if reduce_to is not None and isinstance(image, JpegImagePlugin.JpegImageFile):
        image.draft("RGB", _fit(*source_size, reduce_to))
    image.load()
    return _to_srgb(_to_rgb(image), profile), orientation, source_size


def _oriented(image: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE.get(orientation)
    return image.transpose(method) if method is not None else image


def _reduced(image: Image.Image, edge: int) -> Image.Image:
    size = _fit(image.width, image.height, edge)
    if size == image.size:
        return image
    # reducing_gap: a fast box reduction by an integer factor first (down to no less than
    # twice the target), then a windowed-sinc filter for the rest, as Image.thumbnail does.
    # After a JPEG's DCT scaling the display step reduces by less than two; there Hamming
    # (support 1) is as sharp to the eye as Lanczos (support 3) at a third of the cost, and
    # leaves less noise for WebP to encode (measured with bench/photos.py).
    return image.resize(size, Image.Resampling.HAMMING, reducing_gap=2.0)


def _renditions(data: bytes, kind: str, keep_original: bool) -> Renditions:
    pixels, orientation, (width, height) = _decoded(
        data, kind, reduce_to=None if keep_original else DISPLAY_EDGE)
    original = None
    if keep_original:
        upright = _oriented(pixels, orientation)
        original = _encode(upright, ORIGINAL_QUALITY, kind="JPEG")
        display_pixels = _reduced(upright, DISPLAY_EDGE)
    else:
        display_pixels = _oriented(_reduced(pixels, DISPLAY_EDGE), orientation)
    display = _encode(display_pixels, DISPLAY_QUALITY)
    thumb = _encode(_reduced(display_pixels, THUMB_EDGE), THUMB_QUALITY)
    return Renditions(display, thumb, original, kind, width, height)


def make_renditions(data: bytes, *, keep_original: bool = False) -> Renditions:
    """The display rendition and thumbnail of an upload (and a stripped original if kept).

    Raises ImageRefused (415 for a type we do not take, 422 for an image that cannot be
    read or is too large) for anything else: never an unhandled error, whatever the bytes.
    """
    kind = sniff(data)
    try:
        return _renditions(data, kind, keep_original)
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(
            422, "image_too_large",
            f"The image is far larger than the {MAX_PIXELS // 1_000_000} megapixels accepted.",
        ) from error
    except MemoryError as error:
        raise ImageRefused(422, "image_too_large", "The image is too large to process.") from error
    except Exception as error:
        # Truncated, corrupt or crafted files make Pillow raise many kinds of error (OSError,
        # SyntaxError, ValueError, struct.error, ...): each one is a file we cannot read.
        log.info("photo refused: %s: %s", type(error).__name__, error)
        raise ImageRefused(
            422, "invalid",
            f"The file starts like a {kind} image but could not be read: it may be damaged "
            "or only partly uploaded.",
        ) from error
