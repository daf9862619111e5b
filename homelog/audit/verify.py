"""Prove the audit trail whole: every seal recomputed, and the chain's head checked against
checkpoints kept outside the database.

What can go wrong, and what `verify_chain` calls it:
* **altered**: an entry's content no longer matches its seal, or it does not follow the
  entry before it (edited, reordered, or entries removed from the middle);
* **recomputed**: the seals were redone to hide a change. Without the key this shows as
  entries whose plain SHA-256 matches where a keyed seal should be, or as a plain entry
  after keyed ones; with the key it shows against a checkpoint whose entry now has
  another seal;
* **truncated**: entries a checkpoint saw are gone from the end of the chain.

A checkpoint is one line of JSON (entry id, seal, time, which database) appended to a
file outside the database (HOMELOG_AUDIT_CHECKPOINTS) by the scheduler every hour and by
`flask audit checkpoint`, also written to the log; a backup records the head in its
manifest too.
After a retention purge the chain starts from the purge's anchor, which must be named
by a sealed retention entry in the chain that remains.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from homelog.audit.models import AuditAnchor, AuditEntry
from homelog.audit.services import GENESIS, content_of, entry_hash
from homelog.core.time import utcnow
from homelog.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    entry_id: int
    entry_hash: str
    at: str
    database: str = ""  # which database's chain (one file may serve several)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_id: int | None = None
    problem: str | None = None  # altered, recomputed, truncated
    detail: str = ""

    @property
    def intact(self) -> bool:
        return self.problem is None


def _key() -> str:
    return current_app.config["HOMELOG_AUDIT_KEY"]


def _start() -> tuple[str, int, ChainReport | None]:
    """The hash the chain starts from and the last id before it (the latest anchor's after
    a purge), or a report of why that start cannot be trusted."""
    anchor = db.session.execute(
        select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1)).scalar()
    if anchor is None:
        return GENESIS, 0, None
    older = db.session.execute(select(func.min(AuditEntry.id)).where(
        AuditEntry.id < anchor.first_kept_id)).scalar()
    if older is not None:
        return "", 0, ChainReport(0, older, "altered", "an entry older than the retention "
                                  "purge's anchor is in the chain")
    return anchor.prev_hash, anchor.first_kept_id - 1, None


def _judge(row: AuditEntry, prev: str, seen_keyed: bool) -> tuple[str, str] | None:
    content = content_of(row)
    if row.prev_hash != prev:
        return "altered", "it does not follow the entry before it (entries removed or moved)"
    if row.keyed and row.entry_hash == entry_hash(prev, content, _key()):
        return None
    if not row.keyed and not seen_keyed and row.entry_hash == entry_hash(prev, content):
        return None
    if row.entry_hash == entry_hash(prev, content):
        return "recomputed", "its hash was redone without the audit key"
    return "altered", "its content does not match its seal"


def _anchor_confirmed(start_hash: str, first_kept: int) -> bool:
    """Whether a sealed retention entry in the chain names this anchor."""
    for detail in db.session.execute(select(AuditEntry.detail).where(
            AuditEntry.action == "retention.purge")).scalars():
        anchor = (detail or {}).get("audit_anchor") or {}
        if anchor.get("prev_hash") == start_hash and anchor.get("first_kept_id") == first_kept:
            return True
    return False


def verify_chain(checkpoints: Iterable[Checkpoint] = (), batch: int = 5000) -> ChainReport:
    """Recompute every seal in order and check the checkpoints; report the first problem."""
    prev, last_id, refused = _start()
    if refused:
        return refused
    if last_id and not _anchor_confirmed(prev, last_id + 1):
        return ChainReport(0, last_id + 1, "altered", "the chain starts at an anchor no "
                           "retention purge recorded")
    count, seen_keyed, head = 0, False, None
    while rows := db.session.execute(select(AuditEntry).where(AuditEntry.id > last_id)
                                     .order_by(AuditEntry.id).limit(batch)).scalars().all():
        for row in rows:
            problem = _judge(row, prev, seen_keyed)
            if problem:
                return ChainReport(count, row.id, *problem)
            prev, seen_keyed, last_id, head = row.entry_hash, seen_keyed or row.keyed, row.id, row
            count += 1
        db.session.expunge_all()
    return _against_checkpoints(count, last_id if head else 0, checkpoints)


def _against_checkpoints(count: int, head_id: int, checkpoints: Iterable[Checkpoint]
                         ) -> ChainReport:
    anchor = db.session.execute(select(func.max(AuditAnchor.first_kept_id))).scalar() or 0
    for checkpoint in checkpoints:
        if checkpoint.entry_id < anchor:
            continue  # purged since, by the recorded path
        if checkpoint.entry_id > head_id:
            return ChainReport(count, checkpoint.entry_id, "truncated",
                               f"the checkpoint of {checkpoint.at} saw entry "
                               f"{checkpoint.entry_id}; the chain now ends at {head_id}")
        sealed = db.session.execute(select(AuditEntry.entry_hash).where(
            AuditEntry.id == checkpoint.entry_id)).scalar()
        if sealed != checkpoint.entry_hash:
            return ChainReport(count, checkpoint.entry_id, "recomputed",
                               f"its seal differs from the one the checkpoint of "
                               f"{checkpoint.at} saw")
    return ChainReport(count)


# --- checkpoints -----------------------------------------------------------------------------

def checkpoint_file() -> Path:
    return Path(current_app.config["HOMELOG_AUDIT_CHECKPOINTS"])


def this_database() -> str:
    """Which database the chain is in: its file, or its server and name (no credentials)."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return f"sqlite:{Path(url.database or '').resolve()}"
    return f"postgresql://{url.host}:{url.port or 5432}/{url.database}"


def write_checkpoint(path: Path | None = None) -> Checkpoint | None:
    """Append the chain's head to the checkpoint file (and the log); None if the chain is
    empty."""
    head = db.session.execute(select(AuditEntry.id, AuditEntry.entry_hash)
                              .order_by(AuditEntry.id.desc()).limit(1)).first()
    if head is None:
        return None
    checkpoint = Checkpoint(head.id, head.entry_hash, utcnow().isoformat(), this_database())
    path = path or checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as stream:
        stream.write(json.dumps(checkpoint.__dict__) + "\n")
    log.info("audit checkpoint: entry %s sealed %s", checkpoint.entry_id, checkpoint.entry_hash)
    return checkpoint


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """The checkpoints to check this chain against: those of this database in the
    partnership's checkpoint file, or every one in a file given (a backup's, say, taken
    of this chain when it was in another database)."""
    lines = _lines(path or checkpoint_file())
    checkpoints = [Checkpoint(**_fields(json.loads(line))) for line in lines]
    if path is not None:
        return checkpoints
    here = this_database()
    return [checkpoint for checkpoint in checkpoints if checkpoint.database == here]


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines() if line.strip()]


def _fields(raw: dict[str, Any]) -> dict[str, Any]:
    return {"entry_id": int(raw["entry_id"]), "entry_hash": str(raw["entry_hash"]),
            "at": str(raw["at"]), "database": str(raw.get("database", ""))}


def checkpoint_job(now: dt.datetime, renew: Callable[[], None] = lambda: None
                   ) -> dict[str, Any]:
    """The scheduler's hourly checkpoint of the chain's head."""
    written = write_checkpoint()
    return {"entry_id": written.entry_id if written else None}
