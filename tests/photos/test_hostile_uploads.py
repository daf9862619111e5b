"""Hostile files are refused politely: a clear 4xx naming the problem, never a 500.

The table is run through the API; the property tests feed random bytes and mutated valid
images to the pipeline (fast, many examples) and a smaller number through the API.
"""

from __future__ import annotations

import io
import os
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import EnvironBuilder, encode_multipart
from werkzeug.wrappers import Request

from homelog.photos import images
from tests.photos.conftest import PhotoWorld
from tests.photos.pictures import (
    GIF,
    GIF_JS_POLYGLOT,
    HTML,
    HTML_JPEG_POLYGLOT,
    JPEG_WITH_HTML_TAIL,
    PDF,
    SVG,
    TELLTALES,
    encode,
    jpeg_claiming,
    phone_jpeg,
    png_bomb,
    png_header_only,
    scene,
    small_jpeg,
)

PROPERTY = settings(
    deadline=None,
    database=None,  # nothing written to .hypothesis/ in the work tree
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.generate],
)

NOISY_PNG = encode(Image.effect_noise((300, 200), 60).convert("RGB"), "PNG")
HOSTILE: list[tuple[str, bytes, int, str]] = [
    # (name, file, status, words the message must contain)
    ("65535x65535 PNG header", png_header_only(65535, 65535), 422, "megapixels"),
    ("9000x6000 PNG header", png_header_only(9000, 6000), 422, "9000 x 6000"),
    ("10000x10000 PNG bomb", png_bomb(), 422, "megapixels"),
    # A PNG is decoded in full, so 50 MP (8160 x 6120, a valid file of a few hundred KB) is
    # refused from its header: the one without pixel data would otherwise be "damaged".
    ("50 MP PNG bomb", png_bomb(8160, 6120), 422, "most accepted for a PNG is 16 megapixels"),
    ("50 MP PNG header", png_header_only(8160, 6120), 422, "for a PNG is 16 megapixels"),
    ("JPEG claiming 60000x60000", jpeg_claiming(60000, 60000), 422, "megapixels"),
    ("JPEG claiming 1x60000", jpeg_claiming(1, 60000), 422, "pixels"),
    ("truncated JPEG", phone_jpeg()[:3000], 422, "damaged"),
    ("JPEG cut after its header", small_jpeg()[:200], 422, "damaged"),
    ("truncated PNG", NOISY_PNG[:len(NOISY_PNG) // 2], 422, "damaged"),
    ("GIF renamed .jpg", GIF, 415, "GIF"),
    ("SVG renamed .jpg", SVG, 415, "SVG"),
    ("PDF renamed .jpg", PDF, 415, "PDF"),
    ("HTML renamed .jpg", HTML, 415, "HTML"),
    ("HEIC renamed .jpg", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, 415, "HEIC"),
    ("zero bytes", b"", 422, "empty"),
    ("GIF/JavaScript polyglot", GIF_JS_POLYGLOT, 415, "GIF"),
    ("HTML/JPEG polyglot", HTML_JPEG_POLYGLOT, 415, "HTML"),
    ("JPEG magic then noise", b"\xff\xd8\xff" + os.urandom(4000), 422, "damaged"),
    ("PNG signature alone", b"\x89PNG\r\n\x1a\n", 422, "damaged"),
    ("RIFF WEBP header alone", b"RIFF\x10\x00\x00\x00WEBPVP8 ", 422, "damaged"),
]


@pytest.mark.parametrize(("name", "data", "status", "words"), HOSTILE,
                         ids=[entry[0] for entry in HOSTILE])
def test_hostile_files_are_refused_clearly(photo_world: PhotoWorld, name: str, data: bytes,
                                           status: int, words: str) -> None:
    response = photo_world.upload(data)
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert words in error["message"], error
    assert error["fields"]["file"], error


def test_a_50_megapixel_jpeg_is_a_phones_photo_not_a_bomb() -> None:
    # Its header passes (a JPEG is decoded at a reduced scale); the PNG of the same size is
    # refused above before a pixel is decoded.
    renditions = images.make_renditions(jpeg_claiming(8160, 6120))
    assert (renditions.source_width, renditions.source_height) == (8160, 6120)
    with pytest.raises(images.ImageRefused, match="16 megapixels"):
        images.make_renditions(png_header_only(8160, 6120))


def test_21_megabytes_of_noise_is_413_naming_the_limit(photo_world: PhotoWorld) -> None:
    response = photo_world.upload(os.urandom(21 * 1000 * 1000 + 1))
    assert response.status_code == 413
    assert "20 MB" in response.json["error"]["message"]
    assert response.json["error"]["fields"]["file"]


def test_a_chunked_upload_is_cut_off_at_the_limit(photo_world: PhotoWorld) -> None:
    # No Content-Length: the server says it ends the stream itself (as gunicorn does for a
    # chunked body), and reading stops with a 413 as soon as the limit is passed.
    client = photo_world.clients["author"]
    boundary, body = encode_multipart({
        "domain_key": "kitchen", "parent_agreed": "true",
        "file": FileStorage(io.BytesIO(b"\xff\xd8\xff" + bytes(25 * 1024 * 1024)), "big.jpg")})
    environ = EnvironBuilder(
        path=f"/api/v1/visits/{photo_world.visit_id}/photos", method="POST",
        input_stream=io.BytesIO(body), content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Idempotency-Key": str(uuid.uuid4()), "X-CSRF-Token": client.csrf or "",
                 "Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    response = client.http.open(Request(environ))
    assert response.status_code == 413, response.json
    assert "20 MB" in response.json["error"]["message"]


def test_the_limit_is_checked_on_the_file_itself(photo_world: PhotoWorld,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Under the request limit (the limit plus room for the form) but over the photo limit.
    monkeypatch.setitem(photo_world.app.config, "HOMELOG_PHOTO_MAX_BYTES", 2048)
    response = photo_world.upload(phone_jpeg())
    assert response.status_code == 413
    assert "2 KB" in response.json["error"]["message"]


def test_the_photo_limit_can_exceed_the_general_request_limit(
        photo_world: PhotoWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(photo_world.app.config, "MAX_CONTENT_LENGTH", 1024)
    response = photo_world.upload(phone_jpeg())
    assert response.status_code == 201, response.json


def test_a_jpeg_with_a_page_appended_is_rebuilt_without_it(photo_world: PhotoWorld) -> None:
    # Accepted (phones append data after the image), but only the pixels are kept.
    response = photo_world.upload(JPEG_WITH_HTML_TAIL)
    assert response.status_code == 201, response.json
    served = photo_world.clients["author"].get(f"/api/v1/photos/{response.json['id']}")
    assert b"script" not in served.data and b"html" not in served.data


# --- properties ------------------------------------------------------------------------------

def _valid_images() -> list[bytes]:
    picture = scene(96, 72)
    animated = io.BytesIO()
    picture.save(animated, "WEBP", save_all=True, append_images=[scene(96, 72, seed=7)])
    return [phone_jpeg(96, 72), phone_jpeg(96, 72, orientation=6),
            encode(picture, "JPEG", progressive=True, quality=70), encode(picture, "PNG"),
            encode(picture.convert("P"), "PNG"), encode(picture, "WEBP", lossless=True),
            encode(picture, "WEBP"), animated.getvalue()]


VALID = _valid_images()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid image with bytes flipped, cut, repeated or inserted (headers included)."""
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "duplicate", "header"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip":
            data[position] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[position:]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "duplicate":
            data[position:position] = data[position:position + draw(st.integers(1, 512))]
        else:  # the dimensions and lengths live near the start
            header = draw(st.integers(0, min(64, len(data) - 1)))
            data[header] = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF]))
    return bytes(data)


ANY_FILE = st.one_of(st.binary(max_size=2048), mutated(),
                     st.builds(lambda head, tail: head + tail,
                               st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n",
                                                b"RIFF\x00\x00\x00\x00WEBPVP8 "]),
                               st.binary(max_size=1024)))


def _check_outcome(data: bytes) -> None:
    try:
        result = images.make_renditions(data)
    except images.ImageRefused as refused:
        assert refused.status in {415, 422}, refused.status
        assert refused.message
        return
    for rendition in (result.display, result.thumb):
        assert rendition.data[:4] == b"RIFF" and rendition.data[8:12] == b"WEBP"
        for telltale in TELLTALES:
            assert telltale not in rendition.data
        image = Image.open(io.BytesIO(rendition.data))
        image.load()
        assert image.size == (rendition.width, rendition.height)


@settings(PROPERTY, max_examples=300)
@given(data=ANY_FILE)
def test_any_bytes_become_clean_renditions_or_a_clear_refusal(data: bytes) -> None:
    _check_outcome(data)


@settings(PROPERTY, max_examples=25)
@given(data=st.one_of(st.binary(max_size=512), mutated()))
def test_any_bytes_through_the_api_are_never_a_server_error(photo_world: PhotoWorld,
                                                            data: bytes) -> None:
    response = photo_world.upload(data)
    assert response.status_code in {201, 413, 415, 422}, (response.status_code, response.json)
    if response.status_code != 201:
        error = response.json["error"]
        assert error["message"] and error["fields"]["file"]
