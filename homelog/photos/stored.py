"""What a photo store gives back, and the errors it raises (storage.py, object_store.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


class MissingFile(LookupError):
    """No file is stored under this key."""


class StoreUnavailable(OSError):
    """The store could not be reached or refused the operation (answered 503: try again)."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
