from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homelog.core.db import JSONType, UTCDateTime
from homelog.extensions import db


class RubricVersion(db.Model):
    """One version of the baseline. Versions are never changed; a new file makes a new version."""

    __tablename__ = "rubric_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # How this version's domains carry on the previous version's (rubric/mapping.py):
    # domain key -> previous keys, and the previous keys retired. None on the first
    # version and on versions loaded before mappings were kept (same key, same domain).
    continues: Mapped[dict[str, list[str]] | None] = mapped_column(JSONType)
    retired: Mapped[list[str] | None] = mapped_column(JSONType)


class AgreementRevision(db.Model):
    """The family's agreed level per domain, agreed on a date. Revisions are kept, never edited."""

    __tablename__ = "agreement_revision"
    __table_args__ = (UniqueConstraint("family_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    agreed_on: Mapped[dt.date] = mapped_column(Date)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_version.id"))
    levels: Mapped[dict[str, int]] = mapped_column(JSONType)
    note: Mapped[str] = mapped_column(Text, default="")
    shared_with_parents_on: Mapped[dt.date | None] = mapped_column(Date)
    # Who was at the meeting, one line each ("Mother", "Name, profession, agency"), as
    # written down at the time.
    attendees: Mapped[list[str]] = mapped_column(JSONType, default=list)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
