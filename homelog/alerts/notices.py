"""Notices a family's lead gets at once about who else is reaching for the family:
a manager opening it by break-glass, or a new family opened with its reference.

Families announce these through signals (families.signals), so families never import
alerts. Each notice is an inbox entry (kind "break_glass" or "reference_shared"), and an
email naming no family when email is on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import select

from homelog.accounts.models import Role, User
from homelog.alerts.services import (
    INSERT_ENTRIES,
    NO_DETAIL,
    email_enabled,
    inbox_link,
    queue_email,
)
from homelog.extensions import db
from homelog.families.models import CoreGroupMember
from homelog.families.signals import (
    BreakGlassOpening,
    SharedReference,
    break_glass_opened,
    reference_shared,
)


def family_leads(family_id: int) -> list[tuple[int, str]]:
    """The family's active leads; failing those, whoever runs its core group."""
    group = db.session.execute(
        select(User.id, User.email, CoreGroupMember.is_lead, User.role)
        .join(CoreGroupMember, CoreGroupMember.user_id == User.id)
        .where(CoreGroupMember.family_id == family_id, User.active.is_(True))
        .order_by(User.id)).all()
    leads = [(user_id, email) for user_id, email, is_lead, _ in group if is_lead]
    return leads or [(user_id, email) for user_id, email, _, role in group
                     if role in (Role.LEAD_SOCIAL_WORKER, Role.MANAGER)]


def _notify(family_id: int, kind: str, said: dict[str, str], now: dt.datetime,
            email_key: str, subject: str, opening: str) -> int:
    told = family_leads(family_id)
    if told:
        db.session.execute(INSERT_ENTRIES, [
            {"user_id": user_id, "family_id": family_id, "flag_id": None, "kind": kind,
             "news": [said], "created_at": now, "digested_at": now}
            for user_id, _ in told])
    if email_enabled():
        body = f"{opening} Your Homelog inbox says who and why:\n{inbox_link()}\n\n{NO_DETAIL}\n"
        for user_id, email in told:
            queue_email(f"{email_key}:user:{user_id}", user_id, email, kind, subject, body, now)
    db.session.flush()
    return len(told)


def announce_break_glass(opening: BreakGlassOpening, now: dt.datetime) -> int:
    """Put a "break_glass" entry in the inbox of the family's lead at once: who opened the
    family and the reason they gave (an email, naming no family, points to it)."""
    said = {"change": "break_glass", "title": opening.manager, "severity": "",
            "sentence": opening.reason}
    return _notify(
        opening.family_id, "break_glass", said, now,
        f"break-glass:{opening.family_id}:{opening.manager_id}:{now.isoformat()}",
        "Homelog: one of your families was opened by break-glass",
        "A manager outside the core group has opened one of your families by break-glass.")


def announce_shared_reference(sharing: SharedReference, now: dt.datetime) -> int:
    """Put a "reference_shared" entry in the inbox of the earlier family's lead at once:
    who opened a new family with the same reference, so the lead can add them to the core
    group if it is the same household (the creator was told nothing)."""
    said = {"change": "reference_shared", "title": sharing.creator, "severity": "",
            "sentence": ("opened a new family record with this family's reference. If it is "
                         "the same household, add them to this core group, so that one record "
                         "holds every agency's visits.")}
    return _notify(
        sharing.family_id, "reference_shared", said, now,
        f"reference-shared:{sharing.family_id}:{sharing.new_family_id}",
        "Homelog: a new family record has the reference of one of yours",
        "Someone has opened a new family record with the reference of one of your families.")


def _on_break_glass_opened(app: Flask, opening: BreakGlassOpening, now: dt.datetime,
                           **_: Any) -> None:
    announce_break_glass(opening, now)


def _on_reference_shared(app: Flask, sharing: SharedReference, now: dt.datetime,
                         **_: Any) -> None:
    announce_shared_reference(sharing, now)


def init_notices(app: Flask) -> None:
    """Listen for families' news about who is reaching for them."""
    break_glass_opened.connect(_on_break_glass_opened, sender=app, weak=False)
    reference_shared.connect(_on_reference_shared, sender=app, weak=False)
