"""Flags and the engine's per-family bookkeeping (the partnership's parameters are stored
by core/partnership_settings.py, the scheduled jobs' locks by core/job_models.py)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from homelog.core.db import JSONType, UTCDateTime
from homelog.extensions import db


class FlagState(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


ACTIVE_STATES = (FlagState.OPEN.value, FlagState.ACKNOWLEDGED.value)


class Flag(db.Model):
    """One occurrence of something the engine noticed about a family.

    open -> acknowledged (who, when, what was decided) -> closed. The engine closes a
    flag that is no longer true, except a safe-sleep flag, which only a person closes
    (by acknowledging it, it stays on record). If the same finding (same `key`) becomes
    true again after closing, a new occurrence is opened with `previous_id` naming the
    last one, so the history of "it came back" is visible.
    """

    __tablename__ = "flag"
    __table_args__ = (
        Index("ix_flag_family_id_state", "family_id", "state"),
        # At most one open or acknowledged occurrence per finding: reruns can never
        # duplicate a flag, even two runs racing each other.
        Index("uq_flag_family_id_key_active", "family_id", "key", unique=True,
              sqlite_where=text("state != 'closed'"),
              postgresql_where=text("state != 'closed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    domains: Mapped[list[str]] = mapped_column(JSONType)
    evidence_visit_ids: Mapped[list[int]] = mapped_column(JSONType)
    # Agencies the flag is about besides the whole core group (both sides of a
    # disagreement, a silent agency): their members are told, with the lead.
    agency_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    became_true_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    explanation: Mapped[str] = mapped_column(Text)
    phrase: Mapped[str] = mapped_column(Text, default="", server_default="")  # see Finding
    safe_sleep: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=FlagState.OPEN.value)
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("flag.id"))
    # The engine's clock (the run's as-of instant), so replays are reproducible...
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # ...and the wall clock, for escalation ("unacknowledged for 24 hours").
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    response: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(32))  # no_longer_true, closed_by_person
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    close_note: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class FamilyEngineState(db.Model):
    """What the engine knows about one family, so that runs are incremental.

    `version` goes up (in the recording request's transaction) whenever a visit, event
    or agreement revision is recorded; a run remembers the version it analysed. The
    family is due again when `version > analysed_version` (something new) or when
    `next_due_at` has passed (a time-based rule may have changed: a visit is now
    overdue, or old visits left a window).
    """

    __tablename__ = "engine_family_state"

    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    analysed_version: Mapped[int] = mapped_column(Integer, default=-1)
    analysed_as_of: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
