from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from homelog.core.db import UTCDateTime
from homelog.extensions import db


class LegalHold(db.Model):
    """A family's records are kept whatever their age, from `placed_at` until lifted.

    Lifting keeps the row (who lifted it, when and why): the history of holds is itself
    a record.
    """

    __tablename__ = "legal_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lift_reason: Mapped[str | None] = mapped_column(Text)


class PurgePermit(db.Model):
    """While a row exists, the append-only tables' DELETE guard lets rows go. Only the
    purge writes one, and removes it in the same transaction: it is never committed."""

    __tablename__ = "retention_purge_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
