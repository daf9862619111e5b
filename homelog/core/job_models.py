"""The scheduled jobs' records: each job's single-runner lock and what each execution did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from homelog.core.db import JSONType, UTCDateTime
from homelog.extensions import db


class JobLock(db.Model):
    """The single-runner lock of one scheduled job, and the last time slot it ran for.

    On SQLite the row itself is the lock (a lease taken inside BEGIN IMMEDIATE); on
    PostgreSQL a session advisory lock is held for the job's duration and the row only
    remembers the slot. Either way `last_slot` makes a slot run once, however many
    scheduler processes fire for it.
    """

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_slot: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class JobRun(db.Model):
    """One execution of a scheduled job (for operators: what ran, when, and what it did)."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_name_started_at", "name", "started_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64))
    slot: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    runner: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
