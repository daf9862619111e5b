"""The account log: what happened outside any family, for administrators.

Sign-ins and refused sign-ins, wrong two-step codes and password confirmations, refused
requests that named no family, changes to people, agencies, the rubric, settings and
retention. Entries on a family's record stay out: administrators manage people, not
families (a family's own "who has viewed" report is for its lead and managers).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from homelog.audit.models import AuditEntry
from homelog.extensions import db

ACTION_WORDS = {
    "session.start": "Signed in",
    "session.sign_in_failed": "Sign-in refused",
    "session.second_factor_failed": "Wrong two-step sign-in code",
    "session.confirm": "Confirmed their password",
    "session.confirm_failed": "Wrong password when confirming",
    "request.refused": "Was refused a request",
    "engine.parameters.change": "Changed the partnership's settings",
    "rubric.load": "Loaded a version of the rubric",
    "retention.purge": "Removed records past their retention period",
    "family.list": "Listed their families",
    "inbox.view": "Opened their inbox",
    "agency.create": "Added an agency",
    "agency.rename": "Renamed an agency",
    "user.create": "Added a person",
    "user.change": "Changed a person's role, agency or details",
    "user.enable": "Let a person sign in again",
    "user.disable": "Stopped a person signing in",
    "user.second_factor_enrolled": "Set up two-step sign-in",
    "user.second_factor_reset": "Reset a person's two-step sign-in",
    "user.password_changed": "Changed their password",
    "user.password_set": "Set their password from a link",
    "user.password_reset_requested": "Asked for a password link",
    "user.password_link_sent": "Sent a person a link to set their password",
}


def account_log(*, before: int | None, action: str | None, person: int | None,
                limit: int) -> dict[str, Any]:
    """One page of entries that belong to no family, newest first (a cursor: `before`,
    the last id of the page before), optionally of one action or one person."""
    query = select(AuditEntry).where(AuditEntry.family_id.is_(None))
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if person is not None:
        query = query.where(AuditEntry.user_id == person)
    rows = list(db.session.execute(
        query.order_by(AuditEntry.id.desc()).limit(limit + 1)).scalars())
    page = rows[:limit]
    return {"entries": [_described(entry) for entry in page],
            "next_before": page[-1].id if len(rows) > limit else None}


def _described(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at, "action": entry.action,
            "what": ACTION_WORDS.get(entry.action, entry.action), "user_id": entry.user_id,
            "agency_id": entry.agency_id, "basis": entry.basis, "address": entry.address,
            "detail": entry.detail}
