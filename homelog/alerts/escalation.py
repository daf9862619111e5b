"""Escalation: a high-severity flag nobody in the core group acknowledged in time goes to the
managers of the family's lead social workers (inbox entry and email, once).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select

from homelog.accounts.models import Role, User
from homelog.alerts.models import InboxEntry
from homelog.alerts.services import (
    HIGH_SEVERITIES,
    NO_DETAIL,
    email_enabled,
    family_link,
    inbox_link,
    queue_email,
)
from homelog.core.inserts import insert_missing
from homelog.engine.models import Flag, FlagState
from homelog.engine.parameters import current_values
from homelog.extensions import db
from homelog.families.models import CoreGroupMember

log = logging.getLogger(__name__)


def escalation_delay(values: dict[str, Any] | None = None) -> dt.timedelta:
    values = values or current_values()
    return dt.timedelta(hours=values["escalation_delay_hours"])


def flags_to_escalate(now: dt.datetime) -> list[int]:
    """High-severity flags still open (not acknowledged) after the escalation delay."""
    return list(db.session.execute(
        select(Flag.id)
        .where(Flag.state == FlagState.OPEN.value, Flag.severity.in_(HIGH_SEVERITIES),
               Flag.escalated_at.is_(None), Flag.created_at <= now - escalation_delay())
        .order_by(Flag.id)
    ).scalars())


def _managers_of_leads(family_id: int) -> list[tuple[User, bool]]:
    """The active managers of the family's lead social workers who can open the family,
    each with whether they are in its core group. A manager outside it is told only if
    they may open it by break-glass (role manager); anyone else is left out, since they
    could not open the family and must not learn of it."""
    manager_ids = db.session.execute(
        select(User.manager_id)
        .join(CoreGroupMember, CoreGroupMember.user_id == User.id)
        .where(CoreGroupMember.family_id == family_id, CoreGroupMember.is_lead.is_(True),
               User.manager_id.is_not(None))
    ).scalars().all()
    if not manager_ids:
        return []
    members = set(db.session.execute(select(CoreGroupMember.user_id).where(
        CoreGroupMember.family_id == family_id)).scalars())
    managers = db.session.execute(
        select(User).where(User.id.in_(manager_ids), User.active.is_(True)).order_by(User.id)
    ).scalars()
    return [(manager, manager.id in members) for manager in managers
            if manager.id in members or manager.role == Role.MANAGER]


def _escalation_email(family_id: int, hours: int, in_core_group: bool) -> tuple[str, str]:
    subject = "Homelog: an unacknowledged flag passed to you"
    opening = (f"A high-severity flag has not been acknowledged for {hours} hours. It has "
               "been passed to you as the lead social worker's manager.\n\n")
    if in_core_group:
        where = f"Please sign in to Homelog to see it:\n{family_link(family_id)}"
    else:
        where = ("You are not in the family's core group. Your Homelog inbox names the family "
                 f"and takes you to open it by break-glass:\n{inbox_link()}")
    return subject, f"{opening}{where}\n\n{NO_DETAIL}\n"


def escalate(flag_id: int, now: dt.datetime) -> list[int]:
    """Send one unacknowledged high-severity flag to the lead social worker's manager.

    Only to people who can open the family: a manager in its core group gets an
    "escalated" entry linking to the flag; a manager outside it an "escalated_glass" entry,
    which takes them to break-glass with the family's reference filled in. Emails name no
    family. Returns the managers told. The flag is marked escalated even when there is
    nobody to tell, so it is reported in the log once, not every quarter of an hour.
    """
    flag = db.session.get(Flag, flag_id, with_for_update=True)
    if flag is None or flag.escalated_at is not None or flag.state != FlagState.OPEN.value:
        return []
    managers = _managers_of_leads(flag.family_id)
    flag.escalated_at = now
    flag.escalated_to_id = managers[0][0].id if managers else None
    if not managers:
        log.warning("flag %s is due for escalation but the family has no lead social worker "
                    "with a manager who can open it; nobody was told", flag.id)
        db.session.flush()
        return []
    hours = int(escalation_delay().total_seconds() // 3600)
    insert_missing(InboxEntry.__table__, [
        {"user_id": manager.id, "family_id": flag.family_id, "flag_id": flag.id,
         "kind": "escalated" if inside else "escalated_glass", "created_at": now,
         "digested_at": now}
        for manager, inside in managers
    ], ("user_id", "flag_id", "kind"))
    if email_enabled():
        for manager, inside in managers:
            subject, body = _escalation_email(flag.family_id, hours, inside)
            queue_email(f"escalation:{flag.id}:user:{manager.id}", manager.id, manager.email,
                         "escalation", subject, body, now)
    db.session.flush()
    return [manager.id for manager, _ in managers]


