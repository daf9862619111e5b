"""Reading a family's flags and responding to them (acknowledging, closing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from homelog.accounts.models import User
from homelog.accounts.services import actor_of
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid, not_found
from homelog.engine.facts import rubric_labels
from homelog.engine.models import Flag, FlagState
from homelog.engine.steps.plan import CLOSED_BY_PERSON
from homelog.extensions import db
from homelog.families.services import FamilyAccess, open_family, require_core_group_manager

FLAG_NOT_FOUND = "No such flag, or you are not in the family's core group."


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


def describe_flags(flags: list[Flag]) -> list[dict[str, Any]]:
    """Flags as the API shows them: with domain names and who responded."""
    labels = rubric_labels()
    names = _names({flag.acknowledged_by_id for flag in flags if flag.acknowledged_by_id}
                   | {flag.closed_by_id for flag in flags if flag.closed_by_id})
    described = []
    for flag in flags:
        acknowledgement = None
        if flag.acknowledged_at is not None:
            acknowledgement = {
                "by": {"id": flag.acknowledged_by_id,
                       "name": names.get(flag.acknowledged_by_id or 0, "")},
                "at": flag.acknowledged_at, "response": flag.response,
            }
        closure = None
        if flag.closed_at is not None:
            closure = {
                "at": flag.closed_at, "reason": flag.close_reason,
                "by": ({"id": flag.closed_by_id, "name": names.get(flag.closed_by_id, "")}
                       if flag.closed_by_id else None),
                "note": flag.close_note,
            }
        described.append({
            "id": flag.id, "family_id": flag.family_id, "kind": flag.kind,
            "severity": flag.severity, "state": flag.state,
            "domains": [{"key": key, "name": labels.domain_names.get(key, key)}
                        for key in flag.domains],
            "evidence_visit_ids": flag.evidence_visit_ids,
            "agency_ids": flag.agency_ids,
            "became_true_at": flag.became_true_at, "raised_at": flag.raised_at,
            "explanation": flag.explanation, "safe_sleep": flag.safe_sleep,
            "occurrence": flag.occurrence, "previous_id": flag.previous_id,
            "acknowledgement": acknowledgement, "closure": closure,
            "escalated_at": flag.escalated_at,
        })
    return described


def family_flags(family_id: int, state: str | None) -> list[Flag]:
    """A family's flags, newest first, optionally only those in one state."""
    query = select(Flag).where(Flag.family_id == family_id)
    if state:
        query = query.where(Flag.state == state)
    return list(db.session.execute(
        query.order_by(Flag.became_true_at.desc(), Flag.id.desc())).scalars())


def open_flag(user: User, flag_id: int) -> tuple[Flag, FamilyAccess]:
    """A flag the user may see (404 otherwise), locked for a change."""
    family_id = db.session.execute(select(Flag.family_id).where(Flag.id == flag_id)).scalar()
    if family_id is None:
        raise not_found(FLAG_NOT_FOUND)
    try:
        access = open_family(user, family_id, None)
    except ApiError as error:
        raise not_found(FLAG_NOT_FOUND) from error
    return db.session.get_one(Flag, flag_id, with_for_update=True), access


def acknowledge_concern(user: User, access: FamilyAccess, flag_ids: list[int], response: str,
                        close: bool, now: dt.datetime) -> list[Flag]:
    """Record one response to a concern: to every flag behind it, as `acknowledge` would.

    The flags are the ones the person saw in the concern (its `flag_ids`); each must be open
    or acknowledged in this family (422 naming the others: the concern has changed since).
    Open flags become acknowledged; with `close`, all of them close. Flags acknowledged
    before keep their first response unless closed now. One audit entry per flag.
    """
    require_core_group_manager(user)
    flags = list(db.session.execute(
        select(Flag).where(Flag.id.in_(flag_ids), Flag.family_id == access.family_id)
        .order_by(Flag.id).with_for_update()).scalars())
    active = {flag.id for flag in flags if flag.state != FlagState.CLOSED.value}
    gone = sorted(set(flag_ids) - active)
    if gone:
        raise invalid({"flag_ids": [
            f"Not open or acknowledged in this family: {', '.join(map(str, gone))}. The "
            "concern has changed since it was shown: look at it again."]})
    for flag in flags:
        if flag.state == FlagState.OPEN.value or close:  # else its first response stands
            _respond(user, access, flag, response, close, now)
    db.session.flush()
    return flags


def _respond(user: User, access: FamilyAccess, flag: Flag, response: str, close: bool,
             now: dt.datetime) -> None:
    """Acknowledge an open flag with the response and, with `close`, close it; audited."""
    response = response.strip()
    if flag.state == FlagState.OPEN.value:
        flag.state = FlagState.ACKNOWLEDGED.value
        flag.acknowledged_by_id, flag.acknowledged_at, flag.response = user.id, now, response
    if close:
        flag.state = FlagState.CLOSED.value
        flag.closed_at, flag.close_reason = now, CLOSED_BY_PERSON
        flag.closed_by_id, flag.close_note = user.id, response
    record(actor_of(user), "flag.close" if close else "flag.acknowledge", basis=access.basis,
           family_id=flag.family_id, target_type="flag", target_id=flag.id)


def acknowledge(user: User, flag_id: int, response: str, close: bool,
                now: dt.datetime) -> Flag:
    """Record the core group's response to a flag (lead social worker or manager).

    An open flag becomes acknowledged (who, when, what was decided). With `close`, the
    flag is closed as well: the only way a safe-sleep flag ever closes. An acknowledged
    flag can be closed later the same way; anything else is refused with 409.
    """
    flag, access = open_flag(user, flag_id)
    require_core_group_manager(user)
    if flag.state == FlagState.CLOSED.value:
        raise ApiError(409, "flag_closed", "This flag is already closed.")
    if flag.state == FlagState.ACKNOWLEDGED.value and not close:
        raise ApiError(409, "flag_acknowledged",
                       "This flag has already been acknowledged; to close it, send close: true.")
    _respond(user, access, flag, response, close, now)
    db.session.flush()
    return flag
