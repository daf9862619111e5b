"""Retention: the one path by which records past their period leave the database, and the
legal holds that stop it for a family.

Each record type has its period (the partnership's `retention_*` settings, with the
defaults in engine/parameters.py). `purge` removes, in one transaction, what is older:
photos (rows now, files once the transaction commits), visits with all their versions
(an amended visit goes only when every version is past its period), events, closed flags
with the inbox entries about them, read or mailed inbox entries and finished emails, and
the oldest audit entries. Visits, events and audit entries are append-only: their
database guard lets a DELETE through only while the purge's permit row exists, written and
removed inside this transaction. Nothing of a family under legal hold is removed, and
audit entries go only as an unbroken run from the oldest, up to the first one that must
stay (a held family's, or one still within its period), with an anchor so that `audit
verify` still proves the rest. Files in the photo store that no photo refers to are swept
once they are a day old (an upload writes its file just before its row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update

from homelog.accounts.models import Role, User
from homelog.accounts.services import actor_of
from homelog.alerts.models import InboxEntry, OutboxMessage
from homelog.audit.models import AuditAnchor, AuditEntry
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid
from homelog.engine.models import FamilyEngineState, Flag, FlagState
from homelog.engine.parameters import current_values
from homelog.extensions import db
from homelog.families.services import FamilyAccess
from homelog.photos.models import Photo, PhotoFile
from homelog.photos.storage import delete_when_committed, photo_store
from homelog.retention.models import LegalHold, PurgePermit
from homelog.visits.models import Event, Visit

ORPHAN_GRACE = dt.timedelta(days=1)
_FINISHED_EMAILS = ("sent", "failed", "uncertain")


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove)."""

    visits: int = 0
    photos: int = 0
    events: int = 0
    flags: int = 0
    inbox_entries: int = 0
    emails: int = 0
    audit_entries: int = 0
    orphan_files: int = 0
    families_on_hold: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- legal holds -----------------------------------------------------------------------------

def _holds_query() -> Any:
    return select(LegalHold.family_id).where(LegalHold.lifted_at.is_(None))


def families_on_hold() -> set[int]:
    """Families with a legal hold in force."""
    return set(db.session.execute(_holds_query()).scalars())


def current_hold(family_id: int) -> LegalHold | None:
    """The family's legal hold in force, if any."""
    return db.session.execute(select(LegalHold).where(
        LegalHold.family_id == family_id, LegalHold.lifted_at.is_(None))).scalar()


def _may_hold(user: User, access: FamilyAccess) -> None:
    if not (access.is_lead or user.role == Role.MANAGER.value):
        raise ApiError(403, "forbidden", "Only the family's lead social worker or a manager "
                       "may place or lift a legal hold.")


def _reason(text: str | None, field: str) -> str:
    text = (text or "").strip()
    if len(text) < 10:
        raise invalid({field: ["Say why, in at least 10 characters (for example, the court "
                               "case or request that needs the records kept)."]})
    return text


def place_hold(user: User, access: FamilyAccess, reason: str, now: dt.datetime) -> LegalHold:
    """Keep everything of the family whatever its age, until the hold is lifted (409 if a
    hold is already in force). Audited."""
    _may_hold(user, access)
    reason = _reason(reason, "reason")
    if current_hold(access.family_id) is not None:
        raise ApiError(409, "legal_hold_exists", "The family is already under a legal hold.")
    hold = LegalHold(family_id=access.family_id, reason=reason, placed_by_id=user.id,
                     placed_at=now)
    db.session.add(hold)
    db.session.flush()
    record(actor_of(user), "legal_hold.place", basis=access.basis, family_id=access.family_id,
           target_type="legal_hold", target_id=hold.id, detail={"reason": reason})
    return hold


def lift_hold(user: User, access: FamilyAccess, reason: str, now: dt.datetime) -> LegalHold:
    """End the family's legal hold (404 if none is in force); the hold stays on record with
    who lifted it and why. Audited."""
    _may_hold(user, access)
    reason = _reason(reason, "reason")
    hold = current_hold(access.family_id)
    if hold is None:
        raise ApiError(404, "no_legal_hold", "The family is not under a legal hold.")
    hold.lifted_by_id, hold.lifted_at, hold.lift_reason = user.id, now, reason
    db.session.flush()
    record(actor_of(user), "legal_hold.lift", basis=access.basis, family_id=access.family_id,
           target_type="legal_hold", target_id=hold.id, detail={"reason": reason})
    return hold


# --- the purge -------------------------------------------------------------------------------

def _years_before(now: dt.datetime, years: int) -> dt.datetime:
    return now - dt.timedelta(days=round(365.25 * years))


@contextmanager
def _permit(now: dt.datetime) -> Iterator[None]:
    permit = PurgePermit(granted_at=now)
    db.session.add(permit)
    db.session.flush()
    try:
        yield
    finally:
        db.session.execute(delete(PurgePermit).where(PurgePermit.id == permit.id))


def _not_held(column: Any) -> ColumnElement[bool]:
    return column.not_in(_holds_query())


def purge(now: dt.datetime, actor: User | None = None) -> PurgeReport:
    """Remove every record past its retention period, except a held family's (see the
    module docstring); the caller commits, or rolls back for a dry run. Audited."""
    values = current_values()
    report = PurgeReport(families_on_hold=len(families_on_hold()))
    with _permit(now):
        visits = _visits_to_purge(_years_before(now, values["retention_visit_years"]))
        report.photos, files_gone = _purge_photos(
            _years_before(now, values["retention_photo_years"]), visits)
        report.visits = _delete_visits(visits)
        report.events = _count(delete(Event).where(
            Event.occurred_at < _years_before(now, values["retention_event_years"]),
            _not_held(Event.family_id)))
        report.flags = _purge_flags(_years_before(now, values["retention_flag_years"]))
        report.inbox_entries, report.emails = _purge_messages(
            now - dt.timedelta(days=values["retention_message_days"]))
        anchor = _purge_audit(_years_before(now, values["retention_audit_years"]), now)
        report.audit_entries = anchor[0] if anchor else 0
    _reanalyse(visits, now)
    report.orphan_files = sweep_orphan_files(now, going=files_gone)
    detail: dict[str, Any] = report.as_dict()
    if anchor:
        detail["audit_anchor"] = {"first_kept_id": anchor[1], "prev_hash": anchor[2]}
    record(actor_of(actor), "retention.purge", basis="retention_schedule", detail=detail)
    return report


def _count(statement: Any) -> int:
    return int(db.session.execute(statement).rowcount or 0)


def _visits_to_purge(cutoff: dt.datetime) -> dict[int, int]:
    """Visit id -> family id, for every version of every visit whose versions are all past
    the cutoff, in families not under hold."""
    rows = db.session.execute(
        select(Visit.id, Visit.family_id, Visit.supersedes_id, Visit.visited_at)
        .where(Visit.family_id.in_(select(Visit.family_id).where(Visit.visited_at < cutoff)),
               _not_held(Visit.family_id))).all()
    root: dict[int, int] = {}
    by_id = {row.id: row for row in rows}
    for row in sorted(rows, key=lambda row: row.id):  # a version follows what it supersedes
        root[row.id] = root.get(row.supersedes_id, row.id) if row.supersedes_id else row.id
    recent_chains = {root[row.id] for row in rows if row.visited_at >= cutoff}
    return {visit_id: by_id[visit_id].family_id for visit_id, chain in root.items()
            if chain not in recent_chains}


def _purge_photos(cutoff: dt.datetime, visits: dict[int, int]) -> tuple[int, set[str]]:
    """Remove photos past their period or of visits being purged; returns how many, and
    their files' keys (removed once the transaction commits)."""
    old = select(Visit.id).where(Visit.visited_at < cutoff, _not_held(Visit.family_id))
    going = Photo.visit_id.in_(old)
    if visits:  # and every photo of a visit that goes, whatever the photos' own period
        going = or_(going, Photo.visit_id.in_(list(visits)))
    photo_ids = list(db.session.execute(select(Photo.id).where(going)).scalars())
    if not photo_ids:
        return 0, set()
    store = photo_store()
    keys = set(db.session.execute(select(PhotoFile.storage_key).where(
        PhotoFile.photo_id.in_(photo_ids))).scalars())
    for key in keys:
        delete_when_committed(store, key)
    db.session.execute(delete(PhotoFile).where(PhotoFile.photo_id.in_(photo_ids)))
    return _count(delete(Photo).where(Photo.id.in_(photo_ids))), keys


def _delete_visits(visits: dict[int, int]) -> int:
    ids = sorted(visits)
    if not ids:
        return 0
    # Flags keep their evidence's ids; a purged visit is simply no longer there to show.
    return _count(delete(Visit).where(Visit.id.in_(ids)))


def _purge_flags(cutoff: dt.datetime) -> int:
    old = select(Flag.id).where(Flag.state == FlagState.CLOSED.value, Flag.closed_at < cutoff,
                                _not_held(Flag.family_id))
    ids = list(db.session.execute(old).scalars())
    if not ids:
        return 0
    db.session.execute(delete(InboxEntry).where(InboxEntry.flag_id.in_(ids)))
    # A later occurrence keeps its own record; it just no longer points at this one.
    db.session.execute(update(Flag).where(Flag.previous_id.in_(ids)).values(previous_id=None))
    return _count(delete(Flag).where(Flag.id.in_(ids)))


def _purge_messages(cutoff: dt.datetime) -> tuple[int, int]:
    entries = _count(delete(InboxEntry).where(
        InboxEntry.created_at < cutoff, _not_held(InboxEntry.family_id),
        or_(InboxEntry.read_at.is_not(None), InboxEntry.digested_at.is_not(None))))
    emails = _count(delete(OutboxMessage).where(
        OutboxMessage.created_at < cutoff, OutboxMessage.status.in_(_FINISHED_EMAILS)))
    return entries, emails


def _purge_audit(cutoff: dt.datetime, now: dt.datetime) -> tuple[int, int, str] | None:
    """Remove the oldest run of audit entries past the cutoff; returns (count, first kept
    id, the hash it follows). The newest entry always stays: the chain's head."""
    newest = db.session.execute(select(func.max(AuditEntry.id))).scalar()
    if newest is None:
        return None
    stop = db.session.execute(select(func.min(AuditEntry.id)).where(or_(
        AuditEntry.at >= cutoff, AuditEntry.family_id.in_(_holds_query()),
        AuditEntry.id == newest))).scalar_one()
    last = db.session.execute(select(AuditEntry.id, AuditEntry.entry_hash).where(
        AuditEntry.id < stop).order_by(AuditEntry.id.desc()).limit(1)).first()
    if last is None:
        return None
    removed = _count(delete(AuditEntry).where(AuditEntry.id <= last.id))
    db.session.add(AuditAnchor(first_kept_id=stop, prev_hash=last.entry_hash, created_at=now))
    db.session.flush()
    return removed, stop, last.entry_hash


def _reanalyse(visits: dict[int, int], now: dt.datetime) -> None:
    families = set(visits.values())
    if families:  # their history is shorter now: the engine reads it again
        db.session.execute(update(FamilyEngineState).where(
            FamilyEngineState.family_id.in_(families)).values(next_due_at=now))


def sweep_orphan_files(now: dt.datetime, grace: dt.timedelta = ORPHAN_GRACE,
                       going: Collection[str] = ()) -> int:
    """Remove (once the transaction commits) stored photo files that no photo refers to and
    that were written more than `grace` before `now`; returns how many. `going`: files
    already being removed with their photos."""
    store = photo_store()
    referenced = set(db.session.execute(select(PhotoFile.storage_key)).scalars())
    orphans = [key for key in list(store.keys()) if key not in referenced
               and key not in going and store.written_at(key) < now - grace]
    for key in orphans:
        delete_when_committed(store, key)
    return len(orphans)


def describe_holds(family_id: int) -> list[LegalHold]:
    """Every legal hold the family has had, newest first."""
    return list(db.session.execute(select(LegalHold).where(
        LegalHold.family_id == family_id).order_by(LegalHold.id.desc())).scalars())
