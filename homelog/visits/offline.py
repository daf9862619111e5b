"""What a phone keeps so that a visit can be recorded with no signal, and the record of a
queued submission that the practitioner gave up on.

The kit is the minimum (security.md, offline queue): for each of the user's own families its
reference, the date it was opened, each child's initials and age in months (not the date of
birth) and the agreed level per domain, with the rubric in force. Nothing else about a
family ever sits on the phone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from homelog.accounts.models import User
from homelog.accounts.services import actor_of
from homelog.audit.services import record, record_each
from homelog.core.errors import invalid
from homelog.core.time import local_today
from homelog.extensions import db
from homelog.families.models import Family
from homelog.families.services import families_of, membership
from homelog.rubric.concern_level import concern_level
from homelog.rubric.services import current_rubric
from homelog.rubric.versions import agreed_levels_now
from homelog.visits.app_settings import app_settings
from homelog.visits.models import Visit


def age_in_months(date_of_birth: dt.date, today: dt.date) -> int:
    """Whole months since birth (0 before the first month is out; negative if not yet born)."""
    months = (today.year - date_of_birth.year) * 12 + today.month - date_of_birth.month
    if today.day < date_of_birth.day:
        months -= 1
    return months


def _family_entry(family: Family, rubric: Any, today: dt.date) -> dict[str, Any]:
    return {
        "id": family.id,
        "reference": family.reference,
        "opened_on": family.opened_on,
        "children": [{"initials": child.initials,
                      "age_months": age_in_months(child.date_of_birth, today)}
                     for child in family.children],
        "agreed_levels": agreed_levels_now(family.id, rubric),
    }


def offline_kit(user: User) -> dict[str, Any]:
    """The rubric in force, the app settings (scale, limits, time zone) and, for each
    family whose core group `user` is in, the minimum needed to record a visit offline.
    Audited on each of those families."""
    rubric = current_rubric()
    families = families_of(user)
    record_each(actor_of(user), "offline_kit.view", [family.id for family in families],
                basis="core_group_member")
    today = local_today()
    return {
        "rubric": rubric.for_people(concern_level()),
        "families": [_family_entry(family, rubric, today) for family in families],
        "settings": app_settings(),
    }


def _recorded_visit_id(user: User, key: str) -> int | None:
    return db.session.execute(
        select(Visit.id).where(Visit.author_id == user.id, Visit.idempotency_key == key)
    ).scalar()


def record_discard(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Log that `user` discarded a queued visit or photo that could not be sent.

    The phone drops the item only after this entry is committed, so every loss is on the
    record: who, what (kind, idempotency key, when it was queued, the last problem) and why.
    The family is named on the entry only if the user is still in its core group (the
    family's "who has viewed" report must not list outsiders' claims); otherwise the id the
    phone sent is kept in the detail. The answer says whether the server did in fact record
    a visit with that key (its id), so nobody re-records a visit that arrived.
    """
    if data["kind"] == "photo" and data.get("visit_id") is None:
        raise invalid({"visit_id": ["Say which visit the photo was for."]})
    key = str(data["idempotency_key"])
    claimed = data.get("family_id")
    access = membership(user, claimed) if claimed is not None else None
    recorded = _recorded_visit_id(user, key) if data["kind"] == "visit" \
        else None
    detail = {
        "kind": data["kind"],
        "idempotency_key": key,
        "queued_at": data["queued_at"].isoformat(),
        "reason": data["reason"].strip(),
        "last_problem": data["last_problem"],
        "visit_id": data.get("visit_id"),
        "recorded_visit_id": recorded,
    }
    if claimed is not None and access is None:
        detail["family_id"] = claimed
    record(actor_of(user), "outbox.discard",
           basis=access.basis if access else "own_outbox",
           family_id=access.family_id if access else None,
           target_type=data["kind"], target_id=recorded, detail=detail)
    return {"kind": data["kind"], "idempotency_key": key,
            "recorded_visit_id": recorded}
