"""A family's history: every change to its record and its core group, kept append-only
(table family_change), and the plain words the timeline shows for each.

The rows say who made the change, when, what changed from what to what (JSON-ready values:
dates as ISO text) and why. Core-group rows name the member, so together they say who was
in the group when; the live membership stays in core_group_member.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from homelog.core.time import utcnow
from homelog.extensions import db
from homelog.families.models import FamilyChange

OPENED = "opened"
DETAILS_CHANGED = "details_changed"
CLOSED = "closed"
REOPENED = "reopened"
MEMBER_JOINED = "member_joined"
MEMBER_LEFT = "member_left"
LEAD_CHANGED = "lead_changed"
KINDS = (OPENED, DETAILS_CHANGED, CLOSED, REOPENED, MEMBER_JOINED, MEMBER_LEFT, LEAD_CHANGED)

#: What each field of a family is called where people read it.
FIELD_WORDS = {
    "reference": "Reference",
    "address": "Address",
    "opened_on": "Opened on",
    "plan_category": "Plan",
    "plan_started_on": "Plan start date",
    "children": "Children",
    "lead": "Lead",
}

PLAN_WORDS = {
    "neglect": "Child protection plan: neglect",
    "physical_abuse": "Child protection plan: physical abuse",
    "emotional_abuse": "Child protection plan: emotional abuse",
    "sexual_abuse": "Child protection plan: sexual abuse",
    "multiple": "Child protection plan: more than one category",
}


def record_change(family_id: int, by_id: int, kind: str, *, member_id: int | None = None,
                  changes: Mapping[str, Any] | None = None, reason: str = "",
                  at: dt.datetime | None = None) -> FamilyChange:
    """Add one row to the family's history (flushes; never updates or deletes a row)."""
    row = FamilyChange(family_id=family_id, at=at or utcnow(), by_id=by_id, kind=kind,
                       member_id=member_id, changes=dict(changes or {}), reason=reason)
    db.session.add(row)
    db.session.flush()
    return row


def long_date(value: dt.date | str) -> str:
    """A date as people write it: 5 Dec 2026."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%b %Y}"


def _value_words(field: str, value: Any) -> str:
    if value in (None, "", []):
        return "none"
    if field in ("opened_on", "plan_started_on"):
        return long_date(value)
    if field == "plan_category":
        return PLAN_WORDS.get(value, str(value))
    if field == "children":
        return ", ".join(f"{child['initials']} (born {long_date(child['date_of_birth'])})"
                         for child in value)
    return str(value)


def change_lines(changes: Mapping[str, Any]) -> list[str]:
    """Each changed field in words: "Address: 1 Old Road, now 2 New Road"."""
    lines = []
    for field, change in changes.items():
        if field not in FIELD_WORDS or not isinstance(change, Mapping):
            continue
        before = _value_words(field, change.get("from"))
        after = _value_words(field, change.get("to"))
        lines.append(f"{FIELD_WORDS[field]}: {before}, now {after}")
    return lines


def change_summary(kind: str, by_name: str, member_name: str | None,
                   changes: Mapping[str, Any]) -> str:
    """The one sentence the timeline shows for a change."""
    member = member_name or "Someone"
    if kind == OPENED:
        return f"Family record opened by {by_name}"
    if kind == DETAILS_CHANGED:
        names = [FIELD_WORDS[field].lower() for field in changes if field in FIELD_WORDS]
        return f"Family details changed by {by_name}: {', '.join(names) or 'no fields'}"
    if kind == CLOSED:
        return f"Family record closed by {by_name}"
    if kind == REOPENED:
        return f"Family record reopened by {by_name}"
    if kind == MEMBER_JOINED:
        as_lead = " as the lead" if "lead" in changes else ""
        return f"{member} joined the core group{as_lead}"
    if kind == MEMBER_LEFT:
        return f"{member} left the core group"
    if kind == LEAD_CHANGED:
        return f"{member} became the lead"
    return f"Family record changed by {by_name}"


def agreement_summary(revision: int, agreed_on: dt.date | str) -> str:
    """The sentence for an agreement revision on the timeline."""
    first = "Agreement recorded" if revision == 1 else "Agreement revised"
    return f"{first}: the levels the core group expects, agreed on {long_date(agreed_on)}"
