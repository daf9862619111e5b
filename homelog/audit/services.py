"""Write and verify the audit trail.

Each entry's hash covers its content and the previous entry's hash, so removing,
reordering or editing any entry breaks the chain from that point on. Appends are
serialised (SQLite's write lock, or a PostgreSQL advisory lock held to commit) so
the chain has exactly one head.

Each entry is sealed with HMAC-SHA256 under HOMELOG_AUDIT_KEY, a key the database never
holds, so someone able to change the database cannot recompute the chain after editing or
removing entries (entries from before the key have plain SHA-256 hashes: `keyed` says
which). An entry is appended in one statement: the database reads the chain's head and
seals the entry itself, from the canonical JSON computed here and the key's two padded
forms passed with it (on PostgreSQL the function homelog_audit_append of migration 0012
also takes the advisory lock). audit/verify.py recomputes every seal, in Python.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_request_context, request
from sqlalchemy import LargeBinary, String, bindparam, func, select, true
from sqlalchemy.sql.dml import Insert

from homelog.audit.models import AuditEntry
from homelog.core.time import utcnow
from homelog.core.transactions import at_commit, keep_even_if_request_fails
from homelog.extensions import db

GENESIS = "0" * 64
_CONTENT_COLUMNS = ("at", "user_id", "agency_id", "action", "family_id", "target_type",
                    "target_id", "basis", "detail", "address")


def _content_parameters() -> list[Any]:
    table = AuditEntry.__table__
    return [bindparam(name, type_=table.c[name].type) for name in _CONTENT_COLUMNS]


def _key_parameters() -> list[Any]:
    return [bindparam("inner_pad", type_=LargeBinary), bindparam("outer_pad", type_=LargeBinary)]


def _sqlite_append() -> Insert:
    """INSERT ... SELECT that reads the chain's head and seals in the same statement.

    It runs inside the write lock SQLite's BEGIN IMMEDIATE took, so the head it reads
    stays the head until commit.
    """
    table = AuditEntry.__table__
    latest = select(table.c.entry_hash).order_by(table.c.id.desc()).limit(1).scalar_subquery()
    head = select(func.coalesce(latest, GENESIS).label("hash")).subquery("head")
    canonical = bindparam("canonical", type_=String)
    sealed = func.homelog_hmac_hex(*_key_parameters(), head.c.hash + "|" + canonical)
    return table.insert().from_select(
        [*_CONTENT_COLUMNS, "prev_hash", "entry_hash", "keyed"],
        select(*_content_parameters(), head.c.hash, sealed, true()),
    )


# Every audited request runs one of these, so they are built once: one statement either way.
_APPEND = {
    "sqlite": _sqlite_append(),
    # Lock, head, seal and insert in one round trip (the function is in migration 0013).
    "postgresql": select(func.homelog_audit_append(
        *_content_parameters()[:-1], bindparam("canonical", type_=String), *_key_parameters(),
        _content_parameters()[-1])),
}


def key_pads(key: str) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys (RFC 2104), which SQL can seal with."""
    raw = key.encode()
    if len(raw) > _BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in raw), bytes(b ^ 0x5C for b in raw)


def _pads() -> tuple[bytes, bytes]:
    key = current_app.config["HOMELOG_AUDIT_KEY"]
    pads = _PADS.get(key)
    if pads is None:
        pads = _PADS[key] = key_pads(key)
    return pads


_BLOCK = 64  # SHA-256's block size
_PADS: dict[str, tuple[bytes, bytes]] = {}


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough to attribute an entry without importing accounts."""

    user_id: int | None
    agency_id: int | None


def _canonical(content: dict[str, Any]) -> bytes:
    # ASCII only (json.dumps escapes the rest), so SQL hashing the text as UTF-8 agrees.
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(prev_hash: str, content: dict[str, Any], key: str | None = None) -> str:
    """One entry's seal: HMAC-SHA256 under `key` over the previous hash and the content
    (plain SHA-256 for entries from before the key)."""
    message = prev_hash.encode() + b"|" + _canonical(content)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def content_of(entry: AuditEntry) -> dict[str, Any]:
    """What an entry's seal covers, read back from the entry."""
    return _content(entry.at, Actor(entry.user_id, entry.agency_id), entry.action,
                    entry.family_id, entry.target_type, entry.target_id, entry.basis,
                    entry.detail, entry.address)


def _content(
    at: dt.datetime,
    actor: Actor,
    action: str,
    family_id: int | None,
    target_type: str | None,
    target_id: int | None,
    basis: str,
    detail: dict[str, Any] | None,
    address: str | None = None,
) -> dict[str, Any]:
    content = {
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
    if address is not None:  # entries without one (and older ones) keep their old seals
        content["address"] = address
    return content


def _address() -> str | None:
    """The client's network address, as the trusted proxies report it (None outside a
    request)."""
    return (request.remote_addr or "unknown")[:64] if has_request_context() else None


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
    content = _content(at, actor, action, family_id, target_type, target_id, basis, detail,
                       _address())
    (keep_even_if_request_fails if kept else at_commit)(lambda: _append(content, at))


def record_each(actor: Actor, action: str, family_ids: list[int], *, basis: str,
                detail: dict[str, Any] | None = None) -> None:
    """One entry per family, for a read that showed several (a list, a caseload), so each
    family's "who has viewed" has it."""
    for family_id in dict.fromkeys(family_ids):
        record(actor, action, basis=basis, family_id=family_id, target_type="family",
               target_id=family_id, detail=detail)


def leave_background_request_unaudited() -> None:
    """This request is the app checking in the background (its inbox count), not a person
    acting: it leaves no entries. Only the few requests accounts/access.py allows."""
    g.homelog_audit_background = True


def _append(content: dict[str, Any], at: dt.datetime) -> None:
    db.session.flush()  # the rows this entry names must exist first (foreign keys)
    connection = db.session.connection()  # plain statements: no ORM layer needed
    # The database reads the chain's head and computes entry_hash(head, content) itself,
    # so the head is read under the lock, in the same statement that appends.
    inner_pad, outer_pad = _pads()
    connection.execute(_APPEND[connection.dialect.name],
                       {"address": None, **content, "at": at,
                        "canonical": _canonical(content).decode(),
                        "inner_pad": inner_pad, "outer_pad": outer_pad})


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
