"""Write and verify the audit trail.

Each entry's hash covers its content and the previous entry's hash, so removing,
reordering or editing any entry breaks the chain from that point on. Appends are
serialised (SQLite's write lock, or a PostgreSQL advisory lock held to commit) so
the chain has exactly one head.

An entry is appended in one statement: the database reads the chain's head and
computes the hash itself, from the canonical JSON computed here (on PostgreSQL the
function homelog_audit_append of migration 0006 also takes the advisory lock).
verify_chain recomputes every hash here, in Python, with entry_hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context
from sqlalchemy import String, bindparam, func, select
from sqlalchemy.sql.dml import Insert

from homelog.audit.models import AuditAnchor, AuditEntry
from homelog.core.time import utcnow
from homelog.core.transactions import at_commit, keep_even_if_request_fails
from homelog.extensions import db

GENESIS = "0" * 64
_CONTENT_COLUMNS = ("at", "user_id", "agency_id", "action", "family_id", "target_type",
                    "target_id", "basis", "detail")


def _content_parameters() -> list[Any]:
    table = AuditEntry.__table__
    return [bindparam(name, type_=table.c[name].type) for name in _CONTENT_COLUMNS]


def _sqlite_append() -> Insert:
    """INSERT ... SELECT that reads the chain's head and hashes in the same statement.

    It runs inside the write lock SQLite's BEGIN IMMEDIATE took, so the head it reads
    stays the head until commit.
    """
    table = AuditEntry.__table__
    latest = select(table.c.entry_hash).order_by(table.c.id.desc()).limit(1).scalar_subquery()
    head = select(func.coalesce(latest, GENESIS).label("hash")).subquery("head")
    canonical = bindparam("canonical", type_=String)
    chained = func.homelog_sha256_hex(head.c.hash + "|" + canonical)
    return table.insert().from_select(
        [*_CONTENT_COLUMNS, "prev_hash", "entry_hash"],
        select(*_content_parameters(), head.c.hash, chained),
    )


# Every audited request runs one of these, so they are built once: one statement either way.
_APPEND = {
    "sqlite": _sqlite_append(),
    # Lock, head, hash and insert in one round trip (the function is in migration 0006).
    "postgresql": select(func.homelog_audit_append(
        *_content_parameters(), bindparam("canonical", type_=String))),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough to attribute an entry without importing accounts."""

    user_id: int | None
    agency_id: int | None


def _canonical(content: dict[str, Any]) -> bytes:
    # ASCII only (json.dumps escapes the rest), so SQL hashing the text as UTF-8 agrees.
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


def record(
    actor: Actor,
    action: str,
    *,
    basis: str,
    family_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
    kept: bool = False,
) -> None:
    """Append one audit entry, as the request commits (see core/transactions.py).

    The time recorded is the moment of the action, not of the append. `kept`: the entry
    is written even when the request fails (a refused sign-in is evidence too).
    """
    if has_request_context() and g.get("homelog_audit_background"):
        return
    at = utcnow()
    content = _content(at, actor, action, family_id, target_type, target_id, basis, detail)
    (keep_even_if_request_fails if kept else at_commit)(lambda: _append(content, at))


def leave_background_request_unaudited() -> None:
    """This request is the app checking in the background (its inbox count), not a person
    acting: it leaves no entries. Only the few requests accounts/access.py allows."""
    g.homelog_audit_background = True


def _append(content: dict[str, Any], at: dt.datetime) -> None:
    db.session.flush()  # the rows this entry names must exist first (foreign keys)
    connection = db.session.connection()  # plain statements: no ORM layer needed
    # The database reads the chain's head and computes entry_hash(head, content) itself,
    # so the head is read under the lock, in the same statement that appends.
    connection.execute(_APPEND[connection.dialect.name],
                       {**content, "at": at, "canonical": _canonical(content).decode()})


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first entry that does not match.

    After a retention purge the chain starts at the latest anchor: its first kept entry
    must follow the anchor's hash, and no older entry may remain.
    """
    anchor = db.session.execute(
        select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1)).scalar()
    prev = GENESIS if anchor is None else anchor.prev_hash
    last_id = 0 if anchor is None else anchor.first_kept_id - 1
    count = 0
    if anchor is not None:
        older = db.session.execute(select(func.min(AuditEntry.id)).where(
            AuditEntry.id <= last_id)).scalar()
        if older is not None:
            return ChainReport(0, older)
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


def family_access_log(
    family_id: int, *, before: int | None = None, user_id: int | None = None, limit: int = 500,
) -> list[AuditEntry]:
    """Who did or viewed what on one family, newest first (the "who has viewed" report).

    One page of it: entries older than the entry `before` (an id, the cursor: the last id
    of the page before), only `user_id`'s if given, at most `limit`.
    """
    query = select(AuditEntry).where(AuditEntry.family_id == family_id)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    return list(db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).scalars())
