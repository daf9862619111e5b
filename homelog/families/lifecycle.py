"""Changing a family's record: editing its details, closing it with a reason, reopening it.

Who may: the family's lead and the managers in its core group (services.require_family_runner);
other members get 403 and outsiders 404 (open_family). Every change is an audit entry and a
row of the family's history (history.py), which the timeline shows.

A closed family stays readable to its core group, but it is not active work: it leaves the
caseload and the offline kit (services.families_of), and the engine no longer analyses it
(engine: only open families are picked, and a visit on a closed family raises no flags). Its
flags stay as they were (open ones can still be answered); when it is reopened the engine
analyses it again at its next run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from homelog.accounts.models import User
from homelog.accounts.services import actor_of
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid
from homelog.core.time import local_date, local_today, utcnow
from homelog.extensions import db
from homelog.families import history
from homelog.families.models import Child, Family
from homelog.families.services import (
    FamilyAccess,
    _same_reference,
    _tell_of_shared_reference,
    require_family_runner,
)

CLOSED = "closed"
OPEN = "open"


def family_closed(closed_at: dt.datetime, what: str) -> ApiError:
    """409: the family's record is closed (what was refused, said in the message)."""
    return ApiError(409, "family_closed",
                    f"This family's record was closed on {history.long_date(local_date(closed_at))}"
                    f": {what} Ask its lead social worker to reopen it if the work goes on.")


def check_open_at(access: FamilyAccess, when: dt.datetime, field: str) -> None:
    """Refuse (409) something that happened after the family's record was closed.

    What happened before the closure is accepted: a phone may sync a visit made with no
    signal before the family was closed, and a visit made must never be lost.
    """
    if access.closed_at is not None and when >= access.closed_at:
        raise family_closed(access.closed_at, f"nothing after that can be recorded "
                                              f"({field}).")


def _child_row(child: Child | dict[str, Any]) -> dict[str, str]:
    if isinstance(child, Child):
        return {"initials": child.initials, "date_of_birth": child.date_of_birth.isoformat()}
    return {"initials": child["initials"], "date_of_birth": child["date_of_birth"].isoformat()}


def _check_dates(data: dict[str, Any]) -> None:
    today = local_today()
    problems: dict[str, list[str]] = {}
    if data.get("opened_on") and data["opened_on"] > today:
        problems["opened_on"] = ["The opened-on date cannot be in the future."]
    if data.get("plan", {}).get("started_on") and data["plan"]["started_on"] > today:
        problems["plan.started_on"] = ["The plan start date cannot be in the future."]
    for index, child in enumerate(data.get("children") or []):
        if child["date_of_birth"] > today:
            problems[f"children.{index}.date_of_birth"] = [
                "A date of birth cannot be in the future (record an unborn baby after birth)."]
    if problems:
        raise invalid(problems)


def _new_children(family: Family, given: list[dict[str, Any]]) -> list[Child]:
    """The children after an edit: those with an id are corrected, those without are added.
    Every child already recorded must stay (a record of a child is corrected, not dropped)."""
    by_id = {child.id: child for child in family.children}
    named = [child["id"] for child in given if child.get("id") is not None]
    unknown = sorted(set(named) - set(by_id))
    missing = sorted(set(by_id) - set(named))
    if unknown or len(set(named)) != len(named):
        raise invalid({"children": [f"Not a child of this family: {unknown or 'repeated'}."]})
    if missing:
        raise invalid({"children": ["Every child already recorded must stay: correct their "
                                    "initials or date of birth instead of leaving them out."]})
    result = []
    for child in given:
        row = by_id.get(child["id"]) if child.get("id") is not None else Child()
        row.initials, row.date_of_birth = child["initials"], child["date_of_birth"]
        result.append(row)
    return result


def _reference(actor: User, family: Family, wanted: str) -> list[int]:
    """Check a new reference by the rule for opening a family: 409 if another family the
    actor can open has it; returns the families they cannot open that carry it."""
    known, hidden = _same_reference(actor, wanted)
    if known is not None and known != family.id:
        raise ApiError(409, "family_exists", "A family you can open already has this "
                       "reference.", {"reference": ["Already in use."]})
    return [family_id for family_id in hidden if family_id != family.id]


def edit_family(actor: User, access: FamilyAccess, data: dict[str, Any]) -> Family:
    """Change a family's details (reference, address, opened-on date, plan, children), with
    the change from what to what kept in its history. Closed families are reopened first."""
    require_family_runner(actor, access)
    family = access.family
    if family.status == CLOSED and family.closed_at is not None:
        raise family_closed(family.closed_at, "reopen it before changing its details.")
    _check_dates(data)
    before = {"reference": family.reference, "address": family.address,
              "opened_on": family.opened_on.isoformat(), "plan_category": family.plan_category,
              "plan_started_on": family.plan_started_on.isoformat(),
              "children": [_child_row(child) for child in family.children]}
    hidden: list[int] = []
    if "reference" in data and data["reference"].strip() != family.reference:
        hidden = _reference(actor, family, data["reference"].strip())
        family.reference = data["reference"].strip()
    if "address" in data:
        family.address = data["address"]
    if "opened_on" in data:
        family.opened_on = data["opened_on"]
    plan = data.get("plan", {})
    family.plan_category = plan.get("category", family.plan_category)
    family.plan_started_on = plan.get("started_on", family.plan_started_on)
    if "children" in data:
        family.children = _new_children(family, data["children"])
    db.session.flush()
    after = {"reference": family.reference, "address": family.address,
             "opened_on": family.opened_on.isoformat(), "plan_category": family.plan_category,
             "plan_started_on": family.plan_started_on.isoformat(),
             "children": [_child_row(child) for child in family.children]}
    changes = {field: {"from": before[field], "to": after[field]}
               for field in before if before[field] != after[field]}
    if not changes:
        raise invalid({"_schema": ["Nothing to change: these are the family's details already."]})
    reason = data.get("reason", "").strip()
    history.record_change(family.id, actor.id, history.DETAILS_CHANGED, changes=changes,
                          reason=reason)
    record(actor_of(actor), "family.edit", basis=access.basis, family_id=family.id,
           target_type="family", target_id=family.id, detail={"fields": sorted(changes)})
    if hidden:
        _tell_of_shared_reference(actor, family, hidden, utcnow())
    return family


def close_family(actor: User, access: FamilyAccess, reason: str) -> Family:
    """Close a family's record with a reason: it leaves the caseload and is no longer
    analysed; its records stay readable to the core group. 409 if already closed."""
    require_family_runner(actor, access)
    family = access.family
    if family.status == CLOSED:
        raise ApiError(409, "family_closed", "This family's record is closed already.")
    now = utcnow()
    family.status, family.closed_at, family.closed_reason = CLOSED, now, reason.strip()
    db.session.flush()
    history.record_change(family.id, actor.id, history.CLOSED, reason=reason.strip(), at=now,
                          changes={"status": {"from": OPEN, "to": CLOSED}})
    record(actor_of(actor), "family.close", basis=access.basis, family_id=family.id,
           target_type="family", target_id=family.id)
    return family


def reopen_family(actor: User, access: FamilyAccess, reason: str) -> Family:
    """Reopen a closed family's record, with a reason; 409 if it is open."""
    require_family_runner(actor, access)
    family = access.family
    if family.status != CLOSED:
        raise ApiError(409, "family_open", "This family's record is open already.")
    now = utcnow()
    family.status, family.closed_at, family.closed_reason = OPEN, None, None
    db.session.flush()
    history.record_change(family.id, actor.id, history.REOPENED, reason=reason.strip(), at=now,
                          changes={"status": {"from": CLOSED, "to": OPEN}})
    record(actor_of(actor), "family.reopen", basis=access.basis, family_id=family.id,
           target_type="family", target_id=family.id)
    return family
