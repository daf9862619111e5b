"""The family's "who has viewed" report: every access to its record, in plain words.

Read from the audit trail (every read and change of a family's data is an entry there),
newest first, a page at a time (a cursor: the last entry id of the page before), for
everybody or for one person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from homelog.accounts.models import PROFESSION_LABELS, Agency, User
from homelog.audit.models import AuditEntry
from homelog.audit.services import family_access_log
from homelog.extensions import db

# What each audited action was, as the family's lead would say it.
ACTION_WORDS = {
    "family.create": "Added the family to Homelog",
    "family.view": "Opened the family",
    "family.break_glass": "Opened the family by break-glass",
    "family.create_refused": "Tried to add a family with this family's reference (refused)",
    "family.reference_shared": "Opened another family record with this family's reference",
    "family.digest_mailed": "Was sent the family in the daily digest",
    "family.record_visit": "Opened the family to record a visit",
    "family.record_event": "Opened the family to record information",
    "core_group.view": "Looked at the core group",
    "core_group.add": "Added someone to the core group",
    "core_group.remove": "Took someone out of the core group",
    "core_group.lead": "Made someone the family's lead",
    "family.edit": "Changed the family's details",
    "family.close": "Closed the family's record",
    "family.reopen": "Reopened the family's record",
    "access_log.view": "Looked at who has viewed the family",
    "timeline.view": "Opened the timeline",
    "visit.view": "Read a visit",
    "visit.create": "Recorded a visit",
    "visit.amend": "Corrected a visit",
    "event.create": "Recorded information",
    "flags.view": "Looked at the flags",
    "concerns.view": "Looked at the concerns",
    "flag.acknowledge": "Answered a flag",
    "flag.close": "Closed a flag",
    "trends.view": "Looked at the charts",
    "agreement.view": "Read the family agreement",
    "agreement.revise": "Changed the family agreement",
    "photo.list": "Looked at the photos",
    "photo.view": "Looked at a photo",
    "photo.create": "Added a photo",
    "photo.purge": "Removed a photo",
    "outbox.discard": "Discarded an unsent record from their phone",
    "request.refused": "Tried to open the family's records (refused)",
    "family.list": "Saw the family in a list of families",
    "offline_kit.view": "Took the family onto their phone for visits without signal",
    "inbox.view": "Saw the family in their inbox",
    "legal_hold.view": "Looked at the legal hold",
    "legal_hold.place": "Placed a legal hold",
    "legal_hold.lift": "Lifted the legal hold",
}
_EXPORT_WORDS = {
    ("summary", "pdf"): "Exported the summary PDF",
    ("summary", "csv"): "Exported the summary as a spreadsheet (CSV)",
    ("visits", "csv"): "Exported the visits as a spreadsheet (CSV)",
    ("agreement", "pdf"): "Exported the family agreement PDF",
}
BASIS_WORDS = {
    "core_group_lead": "Lead social worker",
    "core_group_member": "Core group",
    "break_glass": "Break-glass",
    "creator": "Added the family",
    "administrator": "Administrator",
    "own_outbox": "Their own phone",
    "refused": "None (refused)",
    "own_inbox": "Their own inbox",
}


@dataclass(frozen=True)
class Person:
    """Someone who appears in a family's report."""

    id: int
    name: str
    profession_label: str
    agency: dict[str, Any]


@dataclass(frozen=True)
class Viewing:
    """One access: who, from which agency, when, what, on what basis (and, for a
    break-glass opening, the reason given)."""

    id: int
    at: dt.datetime
    person: Person | None
    action: str
    what: str
    basis: str
    basis_words: str
    reason: str | None


@dataclass(frozen=True)
class ViewingPage:
    entries: list[Viewing]
    next_before: int | None  # pass as `before` for the next page; None at the end


def _what(entry: AuditEntry) -> str:
    if entry.action == "family.export":
        detail = entry.detail or {}
        return _EXPORT_WORDS.get((detail.get("export"), detail.get("format")), "Exported")
    return ACTION_WORDS.get(entry.action, entry.action)


def _reason(entry: AuditEntry) -> str | None:
    if entry.action != "family.break_glass":
        return None
    return (entry.detail or {}).get("reason")


def _people(user_ids: set[int]) -> dict[int, Person]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.name, User.profession, Agency.id, Agency.name)
        .join(Agency, Agency.id == User.agency_id).where(User.id.in_(user_ids))).all()
    return {user_id: Person(user_id, name, PROFESSION_LABELS[profession],
                            {"id": agency_id, "name": agency_name})
            for user_id, name, profession, agency_id, agency_name in rows}


def who_viewed(family_id: int, *, before: int | None = None, person: int | None = None,
               limit: int = 50) -> ViewingPage:
    """One page of the family's report, newest first: everyone's, or `person`'s only."""
    entries = family_access_log(family_id, before=before, user_id=person, limit=limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    people = _people({entry.user_id for entry in entries if entry.user_id is not None})
    shown = [Viewing(entry.id, entry.at, people.get(entry.user_id or 0), entry.action,
                     _what(entry), entry.basis, BASIS_WORDS.get(entry.basis, entry.basis),
                     _reason(entry))
             for entry in entries]
    return ViewingPage(shown, shown[-1].id if more else None)


def people_in_report(family_id: int) -> list[Person]:
    """Everyone who appears in the family's report, by name (to filter it by person)."""
    user_ids = set(db.session.execute(
        select(AuditEntry.user_id).distinct()
        .where(AuditEntry.family_id == family_id, AuditEntry.user_id.is_not(None))).scalars())
    return sorted(_people(user_ids).values(), key=lambda person: (person.name, person.id))
