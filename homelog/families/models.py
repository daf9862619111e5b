from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homelog.core.db import JSONType, UTCDateTime
from homelog.extensions import db


class Family(db.Model):
    """A household being supported under a plan."""

    __tablename__ = "family"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    plan_category: Mapped[str] = mapped_column(String(32))
    plan_started_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The closure in force (both NULL while the family is open); history in FamilyChange.
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(Text)

    children: Mapped[list[Child]] = relationship(
        order_by="Child.date_of_birth", cascade="all, delete-orphan"
    )

    @property
    def plan(self) -> dict[str, object]:
        """The plan, stored flat on the family, as the one thing people talk about."""
        return {"category": self.plan_category, "started_on": self.plan_started_on}


class Child(db.Model):
    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), index=True)
    initials: Mapped[str] = mapped_column(String(8))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)


class CoreGroupMember(db.Model):
    """A user who works with a family and so may see it."""

    __tablename__ = "core_group_member"
    __table_args__ = (UniqueConstraint("family_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class FamilyChange(db.Model):
    """One change to a family's record or core group: who, when, what from what to what,
    and why. Append-only (database triggers refuse UPDATE and DELETE): together the rows
    are the family's history, and who was in its core group when."""

    __tablename__ = "family_change"
    __table_args__ = (Index("ix_family_change_family_id_at", "family_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(24))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # {field: {"from": ..., "to": ...}} in JSON-ready values (dates as ISO text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
