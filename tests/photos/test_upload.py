"""Uploading: who may, when, with what, and what is kept (nothing of the metadata)."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image
from werkzeug.test import TestResponse

from homelog.photos.images import DISPLAY_EDGE, THUMB_EDGE
from tests.photos.conftest import PhotoWorld, audit_count
from tests.photos.pictures import (
    TELLTALES,
    phone_jpeg,
    phone_png,
    phone_webp,
    scene,
)
from tests.photos.uploads import upload


def _riff_chunks(data: bytes) -> list[bytes]:
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset + 4:offset + 8], "little")
        chunks.append(data[offset:offset + 4])
        offset += 8 + size + (size & 1)
    return chunks


def _assert_clean(data: bytes, longest_edge: int) -> Image.Image:
    """Decodes as WebP, fits the size, and carries no metadata by any reading of it."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    # Like exiftool: the container holds image data only (no EXIF, XMP or ICCP chunk).
    assert _riff_chunks(data) in ([b"VP8 "], [b"VP8L"]), _riff_chunks(data)
    for telltale in TELLTALES:
        assert telltale not in data, telltale
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "WEBP"
    assert max(image.size) <= longest_edge
    for name in ("exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp"):
        assert not image.info.get(name), name
    assert not dict(image.getexif())
    return image


def _fetch(world: PhotoWorld, photo_id: int, size: str | None = None, who: str = "author"):
    query = f"?size={size}" if size else ""
    return world.clients[who].get(f"/api/v1/photos/{photo_id}{query}")


@pytest.mark.parametrize("make", [phone_jpeg, phone_png, phone_webp],
                         ids=["jpeg", "png", "webp"])
def test_no_metadata_survives_in_either_rendition(photo_world: PhotoWorld, make) -> None:
    original = make()
    assert b"Exif" in original or b"eXIf" in original or b"EXIF" in original
    response = photo_world.upload(original)
    assert response.status_code == 201, response.json
    body = response.json
    display = _fetch(photo_world, body["id"])
    thumb = _fetch(photo_world, body["id"], "thumb")
    assert display.status_code == thumb.status_code == 200
    _assert_clean(display.data, DISPLAY_EDGE)
    _assert_clean(thumb.data, THUMB_EDGE)


def test_a_12_megapixel_photo_becomes_1600_and_320_pixels(photo_world: PhotoWorld) -> None:
    response = photo_world.upload(phone_jpeg(4032, 3024))
    assert response.status_code == 201, response.json
    assert (response.json["width"], response.json["height"]) == (1600, 1200)
    display = _assert_clean(_fetch(photo_world, response.json["id"]).data, DISPLAY_EDGE)
    thumb = _assert_clean(_fetch(photo_world, response.json["id"], "thumb").data, THUMB_EDGE)
    assert display.size == (1600, 1200)
    assert thumb.size == (320, 240)


def test_an_exif_rotated_photo_comes_out_upright(photo_world: PhotoWorld) -> None:
    # Upright, the scene is portrait: red above, blue below. The camera stored it on its
    # side (landscape) with orientation 6: "rotate 90 degrees clockwise to show".
    upright = Image.new("RGB", (300, 400), (220, 0, 0))
    upright.paste((0, 0, 220), (0, 200, 300, 400))
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    assert stored.size == (400, 300)
    response = photo_world.upload(phone_jpeg(image=stored, orientation=6))
    assert response.status_code == 201, response.json
    for size in (None, "thumb"):
        shown = Image.open(io.BytesIO(_fetch(photo_world, response.json["id"], size).data))
        shown = shown.convert("RGB")
        width, height = shown.size
        assert height > width, shown.size
        top, bottom = shown.getpixel((width // 2, height // 8)), shown.getpixel(
            (width // 2, height * 7 // 8))
        assert top[0] > 150 and top[2] < 80, top
        assert bottom[2] > 150 and bottom[0] < 80, bottom


def test_each_photo_records_who_what_and_the_parents_agreement(photo_world: PhotoWorld) -> None:
    response = photo_world.upload(domain_key="sleep", room="child_bedroom",
                                  caption="Cot, clean bedding")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["domain_key"] == "sleep" and body["room"] == "child_bedroom"
    assert body["caption"] == "Cot, clean bedding" and body["parent_agreed"] is True
    assert body["visit"]["id"] == photo_world.visit_id
    assert body["score"] == 2
    assert body["agency"]["id"] == photo_world.author.agency_id
    assert body["urls"] == {"display": f"/api/v1/photos/{body['id']}",
                            "thumb": f"/api/v1/photos/{body['id']}?size=thumb"}
    assert audit_count(photo_world.app, "photo.create", body["id"]) == 1


def test_several_photos_per_domain_and_no_room(photo_world: PhotoWorld) -> None:
    ids = {photo_world.upload(room=None).json["id"] for _ in range(2)}
    ids.add(photo_world.upload(room="").json["id"])
    assert len(ids) == 3


def test_a_retry_with_the_same_key_returns_the_same_photo(photo_world: PhotoWorld) -> None:
    key, data = str(uuid.uuid4()), phone_jpeg()
    first = photo_world.upload(data, key=key)
    again = photo_world.upload(data, key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert audit_count(photo_world.app, "photo.create", first.json["id"]) == 1
    other = photo_world.upload(phone_jpeg(orientation=3), key=key)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json["error"]["fields"]
    changed_caption = photo_world.upload(data, key=key, caption="Something else")
    assert changed_caption.status_code == 422


def test_the_idempotency_key_is_required(photo_world: PhotoWorld) -> None:
    response = photo_world.upload(key="not-a-uuid")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "idempotency_key_invalid"


def test_only_the_visits_author_may_add_photos(photo_world: PhotoWorld) -> None:
    assert photo_world.upload(who="colleague").status_code == 403
    assert photo_world.upload(who="lead").status_code == 403
    assert photo_world.upload(who="outsider").status_code == 404
    assert photo_world.upload(who="anonymous").status_code == 401


def test_photos_arrive_up_to_the_window_after_the_visit(photo_world: PhotoWorld) -> None:
    recent = photo_world.new_visit(days_ago=2.9)
    stale = photo_world.new_visit(days_ago=3.1)
    from_recent = _upload_to(photo_world, recent)
    assert from_recent.status_code == 201, from_recent.json
    late = _upload_to(photo_world, stale)
    assert late.status_code == 422
    assert late.json["error"]["code"] == "upload_window_closed"
    assert "72 hours" in late.json["error"]["message"]
    assert "visit_id" in late.json["error"]["fields"]


def _upload_to(world: PhotoWorld, visit_id: int, **fields: Any) -> TestResponse:
    return upload(world.clients["author"], visit_id, phone_jpeg(), **fields)


def test_the_window_is_a_partnership_setting(photo_world: PhotoWorld,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    stale = photo_world.new_visit(days_ago=5)
    monkeypatch.setitem(photo_world.app.config, "HOMELOG_PHOTO_UPLOAD_WINDOW_HOURS", 24 * 7)
    assert _upload_to(photo_world, stale).status_code == 201


def test_a_retry_after_the_window_still_returns_the_photo(photo_world: PhotoWorld,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    key, data = str(uuid.uuid4()), phone_jpeg()
    first = photo_world.upload(data, key=key)
    monkeypatch.setitem(photo_world.app.config, "HOMELOG_PHOTO_UPLOAD_WINDOW_HOURS", 1)
    again = photo_world.upload(data, key=key)
    assert (first.status_code, again.status_code) == (201, 200)


def test_without_the_parents_agreement_by_default_refused(photo_world: PhotoWorld,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    refused = photo_world.upload(parent_agreed="false")
    assert refused.status_code == 422
    assert "parent_agreed" in refused.json["error"]["fields"]
    monkeypatch.setitem(photo_world.app.config, "HOMELOG_PHOTO_ACCEPT_WITHOUT_AGREEMENT", True)
    accepted = photo_world.upload(parent_agreed="false")
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["parent_agreed"] is False


@pytest.mark.parametrize(("fields", "named"), [
    ({"domain_key": "garden"}, "domain_key"),
    ({"domain_key": None}, "domain_key"),
    ({"room": "attic"}, "room"),
    ({"room": "../../etc"}, "room"),
    ({"parent_agreed": "yes"}, "parent_agreed"),
    ({"parent_agreed": None}, "parent_agreed"),
    ({"caption": "x" * 501}, "caption"),
    ({"caption": "a\x00b"}, "caption"),
    ({"unexpected": "field"}, "unexpected"),
])
def test_bad_fields_are_named(photo_world: PhotoWorld, fields: dict, named: str) -> None:
    response = photo_world.upload(**fields)
    assert response.status_code == 422, response.json
    assert named in response.json["error"]["fields"], response.json


def test_a_file_sent_as_text_is_named_not_a_server_error(photo_world: PhotoWorld) -> None:
    response = photo_world.clients["author"].post(
        f"/api/v1/visits/{photo_world.visit_id}/photos",
        data={"file": "not a file part", "domain_key": "kitchen", "parent_agreed": "true"},
        content_type="multipart/form-data", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 422, response.json
    assert "file" in response.json["error"]["fields"]


def test_a_missing_file_is_named(photo_world: PhotoWorld) -> None:
    response = photo_world.clients["author"].post(
        f"/api/v1/visits/{photo_world.visit_id}/photos",
        data={"domain_key": "kitchen", "parent_agreed": "true"},
        content_type="multipart/form-data", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 422
    assert "file" in response.json["error"]["fields"]


def test_a_kept_original_is_full_size_upright_and_stripped(photo_world: PhotoWorld,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(photo_world.app.config, "HOMELOG_PHOTO_KEEP_ORIGINAL", True)
    response = photo_world.upload(phone_jpeg(2000, 1500, orientation=8))
    assert response.status_code == 201, response.json
    original = _fetch(photo_world, response.json["id"], "original")
    assert original.status_code == 200
    assert original.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(original.data))
    assert image.size == (1500, 2000)
    for telltale in TELLTALES:
        assert telltale not in original.data, telltale
    assert not image.info.get("exif") and not image.info.get("icc_profile")


def test_no_original_is_kept_by_default(photo_world: PhotoWorld) -> None:
    response = photo_world.upload()
    original = _fetch(photo_world, response.json["id"], "original")
    assert original.status_code == 404


def test_transparent_and_unusual_modes_are_accepted(photo_world: PhotoWorld) -> None:
    rgba = scene(200, 150).convert("RGBA")
    rgba.putalpha(128)
    palette = scene(200, 150).convert("P")
    grey16 = Image.new("I;16", (200, 150), 40000)
    cmyk = scene(200, 150).convert("CMYK")
    for data in (_encode(rgba, "PNG"), _encode(palette, "PNG"), _encode(grey16, "PNG"),
                 _encode(cmyk, "JPEG"), _encode(rgba, "WEBP")):
        response = photo_world.upload(data)
        assert response.status_code == 201, response.json


def _encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()
