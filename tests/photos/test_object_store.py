"""Photos in an S3-compatible object store: moto's server, in its own process, over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from homelog.extensions import db
from homelog.photos.models import Photo, PhotoFile
from homelog.photos.object_store import S3PhotoStore, s3_client
from homelog.photos.storage import (
    MissingFile,
    delete_when_committed,
    photo_store,
    put_in_transaction,
)
from homelog.retention.services import sweep_orphan_files
from tests.photos.conftest import PhotoWorld
from tests.support import clock
from tests.support.object_store import CREDENTIALS, REGION, ObjectStoreServer, object_store_server

_STORE = "homelog_photo_store"


@pytest.fixture(scope="module")
def object_store() -> Iterator[ObjectStoreServer]:
    with object_store_server() as server:
        yield server


@pytest.fixture
def bucket(app: Flask, object_store: ObjectStoreServer,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app's photos go to a new private bucket for the test (HOMELOG_PHOTO_STORE=s3)."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = object_store.new_bucket()
    saved = {key: app.config[key] for key in (
        "HOMELOG_PHOTO_STORE", "HOMELOG_S3_BUCKET", "HOMELOG_S3_ENDPOINT_URL",
        "HOMELOG_S3_REGION")}
    app.config.update(HOMELOG_PHOTO_STORE="s3", HOMELOG_S3_BUCKET=name,
                      HOMELOG_S3_ENDPOINT_URL=object_store.endpoint_url,
                      HOMELOG_S3_REGION=REGION)
    app.extensions.pop(_STORE, None)
    try:
        yield name
    finally:
        app.config.update(saved)
        app.extensions.pop(_STORE, None)


def _objects(object_store: ObjectStoreServer, bucket: str) -> set[str]:
    listed = object_store.client().list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"] for item in listed}


def test_the_store_round_trip_and_safety(object_store: ObjectStoreServer,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = object_store.new_bucket()
    store = S3PhotoStore(s3_client(object_store.endpoint_url, REGION), bucket)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stored = store.put(b"a kitchen, photographed")
    assert len(stored.key) == 32 and stored.size == 23
    assert store.get(stored.key) == b"a kitchen, photographed"
    assert list(store.keys()) == [stored.key]
    assert before - dt.timedelta(seconds=5) <= store.written_at(stored.key) \
        <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    grants = object_store.client().get_object_acl(Bucket=bucket, Key=f"photos/{stored.key}")
    assert [grant["Grantee"]["Type"] for grant in grants["Grants"]] == ["CanonicalUser"]
    assert "URI" not in str(grants)  # no AllUsers or AuthenticatedUsers grant: not public
    for key in ("0" * 32, "../../etc/passwd", f"photos/{stored.key}"):
        with pytest.raises(MissingFile):
            store.get(key)
        with pytest.raises(MissingFile):
            store.written_at(key)
    store.delete(stored.key)
    store.delete(stored.key)  # twice is safe
    with pytest.raises(MissingFile):
        store.get(stored.key)
    assert _objects(object_store, bucket) == set()


def test_a_photo_is_stored_and_served_through_the_object_store(
        photo_world: PhotoWorld, bucket: str, object_store: ObjectStoreServer) -> None:
    uploaded = photo_world.upload()
    assert uploaded.status_code == 201, uploaded.json
    photo_id = uploaded.json["id"]
    with photo_world.app.app_context():
        keys = set(db.session.execute(select(PhotoFile.storage_key).where(
            PhotoFile.photo_id == photo_id)).scalars())
    assert {f"photos/{key}" for key in keys} == _objects(object_store, bucket)
    shown = photo_world.clients["colleague"].get(f"/api/v1/photos/{photo_id}")
    assert shown.status_code == 200 and shown.mimetype == "image/webp"
    assert shown.data[:4] == b"RIFF" and shown.data[8:12] == b"WEBP"
    text = uploaded.get_data(as_text=True) + str(
        photo_world.clients["colleague"].get(f"/api/v1/families/{photo_world.family.id}/photos")
        .json)
    assert bucket not in text and object_store.endpoint_url not in text  # never an address


def test_an_unreachable_store_is_a_503_and_the_retry_stores_the_photo_once(
        photo_world: PhotoWorld, bucket: str, object_store: ObjectStoreServer) -> None:
    app = photo_world.app
    key = str(uuid.uuid4())

    def photos_with_key() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Photo).where(
                Photo.idempotency_key == key)) or 0

    app.config["HOMELOG_S3_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing listens there
    app.extensions.pop(_STORE, None)
    refused = photo_world.upload(key=key)
    assert refused.status_code == 503, refused.json
    assert refused.json["error"]["code"] == "photo_store_unavailable"
    assert int(refused.headers["Retry-After"]) > 0
    assert photos_with_key() == 0
    app.config["HOMELOG_S3_ENDPOINT_URL"] = object_store.endpoint_url
    app.extensions.pop(_STORE, None)
    stored = photo_world.upload(key=key)
    assert stored.status_code == 201, stored.json
    again = photo_world.upload(key=key)
    assert again.json["id"] == stored.json["id"]
    assert photos_with_key() == 1
    with app.app_context():
        files = set(db.session.execute(select(PhotoFile.storage_key).where(
            PhotoFile.photo_id == stored.json["id"])).scalars())
    # The refused attempt left nothing behind: the bucket holds this photo's files alone.
    assert _objects(object_store, bucket) == {f"photos/{key}" for key in files}


def test_removing_and_sweeping_remove_the_objects(app: Flask, bucket: str,
                                                  object_store: ObjectStoreServer) -> None:
    with app.app_context():
        store = photo_store()
        assert isinstance(store, S3PhotoStore)
        kept = put_in_transaction(store, b"kept")
        db.session.commit()
        going = store.put(b"a file whose photo is being removed")
        db.session.commit()
        delete_when_committed(store, going.key)
        db.session.rollback()  # a purge that fails removes nothing
        assert store.get(going.key)
        delete_when_committed(store, going.key)
        db.session.commit()
        with pytest.raises(MissingFile):
            store.get(going.key)
        # `kept` has no photo row: an orphan, swept once older than the grace period.
        assert sweep_orphan_files(clock.now() + dt.timedelta(days=2)) == 1
        db.session.commit()
        with pytest.raises(MissingFile):
            store.get(kept.key)
    assert _objects(object_store, bucket) == set()
