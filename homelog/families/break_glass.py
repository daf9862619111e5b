"""Break-glass: a manager opens a family outside their core groups, for a stated reason.

There is no table of its own. The grant *is* an audit entry (action family.break_glass,
the reason in its detail), and the family's access rule (services.membership_statement)
admits the manager while that entry is younger than HOMELOG_BREAK_GLASS_HOURS. So a grant
cannot exist without its record, every read under it is audited with the basis
"break_glass", and it shows in the family's "who has viewed" report like any access.

Existence: only a manager may ask, and a manager asking by reference legitimately learns
whether a family has it (the answer is recorded, and the lead is told); everybody else is
refused before any family is looked up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from homelog.accounts.models import Role, User
from homelog.accounts.services import actor_of
from homelog.audit.models import AuditEntry
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid, not_found
from homelog.core.time import utcnow
from homelog.extensions import db
from homelog.families.models import Family
from homelog.families.services import (
    BREAK_GLASS_ACTION,
    FamilyAccess,
    break_glass_duration,
    described,
    membership,
)
from homelog.families.signals import BreakGlassOpening, break_glass_opened

REASON_MIN_CHARS = 20
REASON_MAX_CHARS = 1000


@dataclass(frozen=True)
class BreakGlassGrant:
    """What a manager is given: the family to open, and when the access ends.

    References are not unique (a family opened by someone who could not see an earlier
    one with its reference keeps it), so one grant may open several families: `family_id`
    is the one opened last, and `families` lists each (id and opened-on date).
    """

    family_id: int
    reference: str
    until: dt.datetime
    families: list[dict[str, object]]


def _checked_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_CHARS:
        raise invalid({"reason": [
            f"Say why you need to open this family (at least {REASON_MIN_CHARS} characters): "
            "for example whose work you are covering and what has happened."]})
    if len(reason) > REASON_MAX_CHARS:
        raise invalid({"reason": [f"Keep the reason under {REASON_MAX_CHARS} characters."]})
    return reason


def _record_refusal(user: User, why: str, reference: str) -> None:
    """Keep a refused attempt on the record (the refusal rolls the request back)."""
    record(actor_of(user), "family.break_glass_refused", basis="refused", kept=True,
           detail={"why": why, "reference": reference.strip()[:40]})


def _families_by_reference(user: User, reference: str) -> list[Family]:
    """The families with this reference whose core group the manager is not in."""
    found = list(db.session.execute(
        select(Family).where(Family.reference == reference.strip())
        .order_by(Family.opened_on.desc(), Family.id.desc())).scalars())
    if not found:
        _record_refusal(user, "no_such_reference", reference)
        raise not_found("No family has this reference. Check it and try again.")
    outside = [family for family in found
               if (access := membership(user, family.id)) is None or access.by_break_glass]
    if not outside:
        raise ApiError(409, "in_core_group", "You are in this family's core group: open it "
                       "from your families.")
    return outside


def open_by_break_glass(user: User, reference: str, reason: str) -> BreakGlassGrant:
    """Let a manager into a family outside their core groups, for HOMELOG_BREAK_GLASS_HOURS.

    403 for anyone but a manager (before any family is looked up); 422 naming `reason`
    without a real reason; 404 for a reference no family has (both refusals stay on the
    record, as family.break_glass_refused, for an administrator); 409 when the manager is
    in the core group of every family with it (nothing to break). Each family with the
    reference that the manager is not in is granted: recorded, and its lead told at once
    (families.signals.break_glass_opened). Asking again while a
    grant runs starts a new one, with its own reason.
    """
    if user.role != Role.MANAGER:
        _record_refusal(user, "not_a_manager", reference)
        raise ApiError(403, "forbidden", "Only a manager can open a family they are not in.")
    reason = _checked_reason(reason)
    families = _families_by_reference(user, reference)
    now = utcnow()
    until = now + break_glass_duration()
    for family in families:
        record(actor_of(user), BREAK_GLASS_ACTION, basis="break_glass", family_id=family.id,
               target_type="family", target_id=family.id,
               detail={"reason": reason, "until": until.isoformat(timespec="seconds")})
        opening = BreakGlassOpening(family.id, user.id, described(user), reason, until)
        break_glass_opened.send(current_app._get_current_object(), opening=opening, now=now)
    return BreakGlassGrant(families[0].id, families[0].reference, until,
                           [{"id": family.id, "opened_on": family.opened_on}
                            for family in families])


def break_glass_until(user: User, access: FamilyAccess) -> dt.datetime | None:
    """When the user's break-glass access to this family ends (None if not by break-glass)."""
    if not access.by_break_glass:
        return None
    latest = db.session.execute(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.family_id == access.family_id, AuditEntry.user_id == user.id,
            AuditEntry.action == BREAK_GLASS_ACTION)).scalar_one_or_none()
    return None if latest is None else latest + break_glass_duration()
