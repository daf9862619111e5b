from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from homelog.core.db import JSONType, UTCDateTime
from homelog.extensions import db


class InboxEntry(db.Model):
    """News put in front of one user: what an engine run changed in a family's concerns
    (`news`, kind "news"), or one flag: an immediate concern opened or reopened for their
    family, or a flag escalated to them.

    Unique per (user, flag, kind), so however often a run is repeated or resumed, a user
    is told about a flag once; a run's news comes from what it changed, so a repeated run,
    changing nothing, tells nothing.
    """

    __tablename__ = "inbox_entry"
    __table_args__ = (
        UniqueConstraint("user_id", "flag_id", "kind"),
        Index("ix_inbox_entry_user_id_created_at", "user_id", "created_at"),
        # Only entries still to be mailed are indexed for the digest (most never are).
        Index("ix_inbox_entry_undigested", "user_id",
              sqlite_where=text("digested_at IS NULL"),
              postgresql_where=text("digested_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"))
    flag_id: Mapped[int | None] = mapped_column(ForeignKey("flag.id"))
    kind: Mapped[str] = mapped_column(String(16))  # news, opened, reopened, escalated
    # For news: [{"change": new|worse|better|resolved, "title", "severity", "sentence"}]
    news: Mapped[list[dict[str, str]] | None] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Set when the entry has been mailed (at once, or in a digest) or needs no email,
    # so that no flag is mailed to a user twice.
    digested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(db.Model):
    """An email to send. Written in the same transaction as what it reports; sent later.

    `dedupe_key` is unique, so a rerun cannot queue the same email twice; sending claims
    the message (committed) before talking to the mail server, so a killed sender never
    sends it twice either (see alerts/mail.py).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_send_after", "status", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(16))  # immediate, digest, escalation
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    send_after: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
