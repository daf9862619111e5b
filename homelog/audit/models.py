from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from homelog.core.db import JSONType, UTCDateTime
from homelog.extensions import db


class AuditEntry(db.Model):
    """One thing someone did or viewed. Rows are never updated or deleted (database triggers)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    action: Mapped[str] = mapped_column(String(64))
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id"), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The client's network address, for entries made during a request.
    address: Mapped[str | None] = mapped_column(String(64))
    # Sealed with the audit key (HMAC-SHA256); false only for entries from before it.
    keyed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AuditAnchor(db.Model):
    """Where the chain starts after a retention purge removed its oldest entries: the first
    entry kept and the hash it follows (the last removed entry's). Append-only (triggers).
    """

    __tablename__ = "audit_anchor"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_kept_id: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
