"""Photos in an S3-compatible object store (AWS S3, MinIO, Ceph, ...), private to Homelog.

The same five operations as the local folder (storage.PhotoStore). Every object is written
without an ACL, so it has the bucket's: private, never publicly addressable; the app serves
photos itself, after the access check, and never hands out an object's address. Each object
carries its SHA-256 so the store itself refuses a damaged upload. Credentials come from
boto3's usual chain (environment, instance role, profile): none are kept in Homelog's
settings.

An object store that cannot be reached raises StoreUnavailable (an OSError, like a full
disk), which the photo routes answer with 503 and Retry-After: the phone's outbox tries
again, so nothing submitted is lost.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from homelog.photos.stored import MissingFile, StoredFile, StoreUnavailable

_KEY = re.compile(r"[0-9a-f]{32}")
_MISSING = {"NoSuchKey", "404", "NotFound"}


def s3_client(endpoint_url: str | None, region: str | None) -> Any:
    """A client with short time-outs and a few retries: a phone is waiting on the answer."""
    config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3,
                                                                 "mode": "standard"},
                    s3={"addressing_style": "path"} if endpoint_url else None)
    return boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                        config=config)


class S3PhotoStore:
    """Photo files as objects `<prefix><key>` in one private bucket."""

    def __init__(self, client: Any, bucket: str, prefix: str = "photos/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _name(self, key: str) -> str:
        if not _KEY.fullmatch(key):  # a key is never a path
            raise MissingFile(key)
        return f"{self.prefix}{key}"

    def put(self, data: bytes) -> StoredFile:
        key = secrets.token_hex(16)
        digest = hashlib.sha256(data).digest()
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._name(key), Body=data,
                ContentType="application/octet-stream",
                ChecksumSHA256=base64.b64encode(digest).decode())
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"storing a photo: {_said(error)}") from error
        return StoredFile(key, digest.hex(), len(data))

    def get(self, key: str) -> bytes:
        answer = self._read(key, "reading a photo", self.client.get_object)
        try:  # the body streams after the answer: the connection can still fail
            return answer["Body"].read()
        except BotoCoreError as error:
            raise StoreUnavailable(f"reading a photo: {_said(error)}") from error

    def _read(self, key: str, doing: str, call: Any) -> Any:
        """`call` on the object: MissingFile if there is none, StoreUnavailable on failure."""
        try:
            return call(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if _code(error) in _MISSING:
                raise MissingFile(key) from error
            raise StoreUnavailable(f"{doing}: {_said(error)}") from error
        except BotoCoreError as error:
            raise StoreUnavailable(f"{doing}: {_said(error)}") from error

    def delete(self, key: str) -> None:
        try:
            name = self._name(key)
        except MissingFile:
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"removing a photo: {_said(error)}") from error

    def written_at(self, key: str) -> dt.datetime:
        head = self._read(key, "reading a photo's date", self.client.head_object)
        return head["LastModified"].astimezone(dt.UTC)

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix):]
                    if _KEY.fullmatch(key):
                        yield key
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"listing photos: {_said(error)}") from error

    def check(self) -> None:
        """Reach the bucket (readiness): StoreUnavailable if it cannot be reached."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"reaching the bucket: {_said(error)}") from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _said(error: Exception) -> str:
    # The error's class and code only: a message may quote the request, and so a key.
    if isinstance(error, ClientError):
        return f"{type(error).__name__} {_code(error)}"
    return type(error).__name__

