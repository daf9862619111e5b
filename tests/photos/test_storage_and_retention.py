"""The file store, files that follow the database transaction, and removing a family's photos."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from homelog.extensions import db
from homelog.photos.models import Photo, PhotoFile
from homelog.photos.services import delete_family_photos
from homelog.photos.storage import (
    LocalPhotoStore,
    MissingFile,
    content_hash,
    delete_when_committed,
    photo_store,
    put_in_transaction,
)
from tests.factories import Factory
from tests.photos.conftest import audit_count
from tests.photos.pictures import small_jpeg
from tests.photos.uploads import upload


def test_local_store_round_trip_and_safety(tmp_path: Path) -> None:
    store = LocalPhotoStore(tmp_path / "photos")
    stored = store.put(b"picture")
    assert stored.sha256 == content_hash(b"picture") and stored.size == 7
    assert store.get(stored.key) == b"picture"
    assert list(store.keys()) == [stored.key]
    assert store.put(b"picture").key != stored.key  # random names, never content-derived
    store.delete(stored.key)
    store.delete(stored.key)  # twice is fine
    with pytest.raises(MissingFile):
        store.get(stored.key)
    for hostile in ("../../etc/passwd", "/etc/passwd", "A" * 32, ""):
        with pytest.raises(MissingFile):
            store.get(hostile)
        store.delete(hostile)  # a no-op, never a path outside the store
    assert not list((tmp_path / "photos").rglob("*.partial"))


def test_a_file_written_in_a_rolled_back_transaction_is_removed(app) -> None:
    with app.app_context():
        store = photo_store()
        stored = put_in_transaction(store, b"never committed")
        assert store.get(stored.key) == b"never committed"
        db.session.rollback()
        with pytest.raises(MissingFile):
            store.get(stored.key)
        kept = put_in_transaction(store, b"committed")
        db.session.commit()
        assert store.get(kept.key) == b"committed"


def test_a_deletion_waits_for_the_commit(app) -> None:
    with app.app_context():
        store = photo_store()
        first, second = store.put(b"one"), store.put(b"two")
        delete_when_committed(store, first.key)
        db.session.rollback()  # the deletion is abandoned with its transaction
        assert store.get(first.key) == b"one"
        delete_when_committed(store, second.key)
        assert store.get(second.key) == b"two"  # not yet
        db.session.commit()
        with pytest.raises(MissingFile):
            store.get(second.key)
        store.delete(first.key)


def _family_with_photos(app, factory: Factory, make_client, count: int) -> tuple[int, list[str]]:
    author = factory.user()
    family = factory.family(members=(author,))
    client = make_client()
    assert client.sign_in(author.email).status_code == 201
    visit_id = factory.visit(family.id, author.id)
    for seed in range(count):
        assert upload(client, visit_id, small_jpeg(seed)).status_code == 201
    with app.app_context():
        keys = list(db.session.execute(
            select(PhotoFile.storage_key).join(Photo, Photo.id == PhotoFile.photo_id)
            .where(Photo.family_id == family.id)).scalars())
    return family.id, keys


def test_removing_a_familys_photos_removes_rows_and_files(app, factory: Factory,
                                                          make_client) -> None:
    family_id, keys = _family_with_photos(app, factory, make_client, 2)
    other_family_id, other_keys = _family_with_photos(app, factory, make_client, 1)
    assert len(keys) == 4
    before = audit_count(app, "photo.purge")
    with app.app_context():
        store = photo_store()
        assert delete_family_photos(family_id) == 2
        for key in keys:  # still there until the transaction commits
            assert store.get(key)
        db.session.commit()
        for key in keys:
            with pytest.raises(MissingFile):
                store.get(key)
        for key in other_keys:
            assert store.get(key)
        assert db.session.scalar(select(func.count()).select_from(Photo).where(
            Photo.family_id == family_id)) == 0
        assert db.session.scalar(select(func.count()).select_from(Photo).where(
            Photo.family_id == other_family_id)) == 1
        assert delete_family_photos(family_id) == 0
        db.session.commit()
    assert audit_count(app, "photo.purge") == before + 1


def test_a_purge_that_rolls_back_keeps_everything(app, factory: Factory, make_client) -> None:
    family_id, keys = _family_with_photos(app, factory, make_client, 1)
    with app.app_context():
        assert delete_family_photos(family_id) == 1
        db.session.rollback()
        store = photo_store()
        for key in keys:
            assert store.get(key)
        assert db.session.scalar(select(func.count()).select_from(Photo).where(
            Photo.family_id == family_id)) == 1


def test_a_refused_upload_leaves_no_file(app, factory: Factory, make_client) -> None:
    author = factory.user()
    family = factory.family(members=(author,))
    client = make_client()
    assert client.sign_in(author.email).status_code == 201
    visit_id = factory.visit(family.id, author.id)
    with app.app_context():
        before = set(photo_store().keys())
    refused = upload(client, visit_id, small_jpeg(), parent_agreed="false")
    assert refused.status_code == 422
    with app.app_context():
        assert set(photo_store().keys()) == before
