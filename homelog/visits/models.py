from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homelog.core.db import JSONType, UTCDateTime
from homelog.extensions import db


class Visit(db.Model):
    """A scored visit to the home. Never changed once recorded (database triggers enforce it).

    A correction is an amendment: a new Visit whose `supersedes_id` names the one it
    corrects, with a reason. The original stays on the timeline, marked superseded.
    """

    __tablename__ = "visit"
    __table_args__ = (
        UniqueConstraint("author_id", "idempotency_key"),
        Index("ix_visit_family_id_visited_at", "family_id", "visited_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_version.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    author_profession: Mapped[str] = mapped_column(String(32))
    visited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    announced: Mapped[bool] = mapped_column(Boolean)
    present: Mapped[list[str]] = mapped_column(JSONType)
    rooms_seen: Mapped[list[str]] = mapped_column(JSONType)
    scores: Mapped[dict[str, int | None]] = mapped_column(JSONType)
    concerns: Mapped[list[str]] = mapped_column(JSONType)
    notes: Mapped[str] = mapped_column(Text)
    child_presentation: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), unique=True)
    amendment_reason: Mapped[str | None] = mapped_column(Text)

    def content(self) -> dict[str, Any]:
        """The recorded observations (what an amendment may change)."""
        return {
            "visited_at": self.visited_at,
            "announced": self.announced,
            "present": list(self.present),
            "rooms_seen": list(self.rooms_seen),
            "scores": dict(self.scores),
            "concerns": list(self.concerns),
            "notes": self.notes,
            "child_presentation": self.child_presentation,
        }


class Event(db.Model):
    """Information that is not a visit (a police call-out, a GP letter), dated and attributed."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("recorded_by_id", "idempotency_key"),
        Index("ix_event_family_id_occurred_at", "family_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    author_profession: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
