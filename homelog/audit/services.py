"""Write and verify the audit trail.

Each entry's hash covers its content and the previous entry's hash, so removing,
reordering or editing any entry breaks the chain from that point on. Appends are
serialised (SQLite's write lock, or a PostgreSQL advisory lock held to commit) so
the chain has exactly one head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, text

from homelog.audit.models import AuditEntry
from homelog.core.time import utcnow
from homelog.core.transactions import at_commit
from homelog.extensions import db

GENESIS = "0" * 64
_AUDIT_LOCK_KEY = 7_146_803_251  # any constant; names the audit chain's advisory lock

# Every audited request runs these, so they are built once.
_CHAIN_HEAD = select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
_APPEND = AuditEntry.__table__.insert()
_LOCK = text("SELECT pg_advisory_xact_lock(:key)").bindparams(bindparam("key", _AUDIT_LOCK_KEY))


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough to attribute an entry without importing accounts."""

    user_id: int | None
    agency_id: int | None


def _canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """The chained hash of one entry."""
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(content)).hexdigest()


def _content(
    at: dt.datetime,
    actor: Actor,
    action: str,
    family_id: int | None,
    target_type: str | None,
    target_id: int | None,
    basis: str,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "at": at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds"),
        "user_id": actor.user_id,
        "agency_id": actor.agency_id,
        "action": action,
        "family_id": family_id,
        "target_type": target_type,
        "target_id": target_id,
        "basis": basis,
        "detail": detail,
    }


def _lock_chain() -> None:
    # SQLite transactions here already hold the database's write lock (BEGIN IMMEDIATE).
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_LOCK)


def record(
    actor: Actor,
    action: str,
    *,
    basis: str,
    family_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry, as the request commits (see core/transactions.py).

    The time recorded is the moment of the action, not of the append.
    """
    at = utcnow()
    content = _content(at, actor, action, family_id, target_type, target_id, basis, detail)
    at_commit(lambda: _append(content, at))


def _append(content: dict[str, Any], at: dt.datetime) -> None:
    db.session.flush()  # the rows this entry names must exist first (foreign keys)
    _lock_chain()
    connection = db.session.connection()  # plain statements: no ORM layer needed
    prev = connection.execute(_CHAIN_HEAD).scalar() or GENESIS
    connection.execute(
        _APPEND, {**content, "at": at, "prev_hash": prev, "entry_hash": entry_hash(prev, content)}
    )


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first entry that does not match."""
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).scalars().all()
        if not rows:
            return ChainReport(count, None)
        for row in rows:
            actor = Actor(row.user_id, row.agency_id)
            content = _content(
                row.at, actor, row.action, row.family_id, row.target_type,
                row.target_id, row.basis, row.detail,
            )
            if row.prev_hash != prev or row.entry_hash != entry_hash(prev, content):
                return ChainReport(count, row.id)
            prev = row.entry_hash
            count += 1
            last_id = row.id
        db.session.expunge_all()


def family_access_log(family_id: int, limit: int = 500) -> list[AuditEntry]:
    """Who did or viewed what on one family, newest first (the "who has viewed" report)."""
    return list(
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.family_id == family_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        ).scalars()
    )
