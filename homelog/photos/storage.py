"""Where photo files live: a small interface, a local folder behind it, and file changes that
follow the database transaction.

Callers see only `PhotoStore` (put, get, delete, keys, written_at) and `photo_store()`, which
is a local folder (the embedded default) or an S3-compatible object store (object_store.py),
as HOMELOG_PHOTO_STORE says. Keys
are random (never derived from a family, visit or file name) and each file's SHA-256 is
returned so that the caller records it and can check the file on every read.

Files cannot join a database transaction, so they follow it: a file written during a
transaction that rolls back is removed again, and a file deleted during a transaction is
removed only once it commits (so a failed purge leaves the photos intact, not half-gone).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from homelog.extensions import db
from homelog.photos.object_store import S3PhotoStore, s3_client
from homelog.photos.stored import (
    MissingFile,
    StoredFile,
    StoreUnavailable,
    content_hash,
)

__all__ = ["MissingFile", "PhotoStore", "StoreUnavailable", "StoredFile", "content_hash",
           "photo_store"]

log = logging.getLogger(__name__)

_KEY = re.compile(r"[0-9a-f]{32}")


class PhotoStore(Protocol):
    """What the photo services need from a place that keeps files."""

    def put(self, data: bytes) -> StoredFile:
        """Store `data` under a new random key."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under `key` (MissingFile if there are none)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file; a key with no file is not an error (deleting twice is safe)."""
        ...

    def keys(self) -> Iterator[str]:
        """Every key stored (for finding files that no photo refers to)."""
        ...

    def written_at(self, key: str) -> dt.datetime:
        """When the file was stored (UTC): a file younger than an upload may still be
        waiting for its row."""
        ...

    def check(self) -> None:
        """Raise StoreUnavailable (an OSError) if files cannot be stored just now."""
        ...


class LocalPhotoStore:
    """Files in a local folder (outside any static folder), two levels deep, owner-only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):  # a key is never a path: nothing can escape the root
            raise MissingFile(key)
        return self.root / key[:2] / key

    def put(self, data: bytes) -> StoredFile:
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f".{key}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())  # evidence must survive a power cut after the 201
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredFile(key, content_hash(data), len(data))

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise MissingFile(key) from error

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except MissingFile:
            return

    def written_at(self, key: str) -> dt.datetime:
        try:
            modified = self._path(key).stat().st_mtime
        except FileNotFoundError as error:
            raise MissingFile(key) from error
        return dt.datetime.fromtimestamp(modified, dt.UTC)

    def check(self) -> None:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreUnavailable(f"the photo folder {self.root} cannot be written")

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if shard.is_dir():
                for path in sorted(shard.iterdir()):
                    if _KEY.fullmatch(path.name):
                        yield path.name


_STORE = "homelog_photo_store"


def photo_store() -> PhotoStore:
    """The application's photo store: HOMELOG_MEDIA_DIR/photos on the local disk, or the
    bucket HOMELOG_S3_BUCKET of an object store (HOMELOG_PHOTO_STORE=s3)."""
    store = current_app.extensions.get(_STORE)
    if store is None:
        store = current_app.extensions[_STORE] = _configured_store(current_app.config)
    return store


def _configured_store(config: Any) -> PhotoStore:
    if config["HOMELOG_PHOTO_STORE"] == "s3":
        client = s3_client(config["HOMELOG_S3_ENDPOINT_URL"], config["HOMELOG_S3_REGION"])
        return S3PhotoStore(client, config["HOMELOG_S3_BUCKET"], config["HOMELOG_S3_PREFIX"])
    return LocalPhotoStore(Path(config["HOMELOG_MEDIA_DIR"]) / "photos")


# --- files that follow the database transaction ---------------------------------------------

@dataclass
class _Pending:
    written: list[tuple[PhotoStore, str]] = field(default_factory=list)
    deleted: list[tuple[PhotoStore, str]] = field(default_factory=list)


_PENDING = "homelog_photo_files"


def _pending() -> _Pending:
    # Begin the transaction now if none has begun, so that its end is seen (a session
    # with no transaction commits and rolls back without any event).
    db.session.connection()
    return db.session.info.setdefault(_PENDING, _Pending())


def put_in_transaction(store: PhotoStore, data: bytes) -> StoredFile:
    """Store `data`; if the current transaction rolls back, the file is removed again."""
    stored = store.put(data)
    _pending().written.append((store, stored.key))
    return stored


def discard_now(store: PhotoStore, keys: list[str]) -> None:
    """Remove files written in this transaction that turned out not to be needed."""
    pending = _pending()
    for key in keys:
        store.delete(key)
        pending.written = [entry for entry in pending.written if entry[1] != key]


def delete_when_committed(store: PhotoStore, key: str) -> None:
    """Remove the file once the current transaction commits (never if it rolls back)."""
    _pending().deleted.append((store, key))


def _remove(entries: list[tuple[PhotoStore, str]]) -> None:
    for store, key in entries:
        try:
            store.delete(key)
        except OSError:  # the database is already right; a leftover file is found by a sweep
            log.exception("could not remove photo file %s", key)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        _remove(pending.deleted)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:  # a savepoint: the files belong to the transaction around it
        return
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        _remove(pending.written)
