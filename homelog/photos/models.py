from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homelog.core.db import UTCDateTime
from homelog.extensions import db

DISPLAY = "display"
THUMB = "thumb"
ORIGINAL = "original"
RENDITIONS = (DISPLAY, THUMB, ORIGINAL)


class Photo(db.Model):
    """A photo taken on a visit, of what one domain was scored on (and optionally one room).

    The family is copied from the visit so that a family's photos are listed, and removed by
    retention, without going through its visits. What was uploaded is not kept: only the
    renditions in `files`, rebuilt from pixels (see images.py).
    """

    __tablename__ = "photo"
    __table_args__ = (
        UniqueConstraint("uploaded_by_id", "idempotency_key"),
        Index("ix_photo_family_id_domain_key", "family_id", "domain_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    domain_key: Mapped[str] = mapped_column(String(40))
    room: Mapped[str | None] = mapped_column(String(40))
    caption: Mapped[str] = mapped_column(Text)
    parent_agreed: Mapped[bool] = mapped_column(Boolean)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    author_profession: Mapped[str] = mapped_column(String(32))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    received_sha256: Mapped[str] = mapped_column(String(64))
    received_bytes: Mapped[int] = mapped_column(Integer)
    received_format: Mapped[str] = mapped_column(String(8))
    received_width: Mapped[int] = mapped_column(Integer)
    received_height: Mapped[int] = mapped_column(Integer)

    files: Mapped[list[PhotoFile]] = relationship(cascade="all, delete-orphan")


class PhotoFile(db.Model):
    """One stored rendition of a photo: where it is, and its SHA-256 to check it on reading."""

    __tablename__ = "photo_file"
    __table_args__ = (UniqueConstraint("photo_id", "rendition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photo.id"))
    rendition: Mapped[str] = mapped_column(String(16))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
