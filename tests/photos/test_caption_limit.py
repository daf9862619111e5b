"""The caption limit the app settings give the phone is the one an upload is held to."""

from __future__ import annotations

from tests.photos.conftest import PhotoWorld


def test_the_caption_limit_is_the_one_an_upload_is_held_to(photo_world: PhotoWorld) -> None:
    limits = photo_world.clients["author"].get("/api/v1/app-settings").json["limits"]
    longest = limits["caption_max"]
    too_long = photo_world.upload(caption="x" * (longest + 1))
    assert too_long.status_code == 422 and "caption" in too_long.json["error"]["fields"]
    at_the_limit = photo_world.upload(caption="x" * longest)
    assert at_the_limit.status_code == 201, at_the_limit.json
