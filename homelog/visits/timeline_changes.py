"""The timeline's third kind of item: changes to the family's record (opened, details
changed, closed, reopened), to its core group (joined, left, became the lead) and to its
agreed baseline (agreement revisions), each in plain words.

Read by timeline.py up to the page's end, newest first, and merged there with the visits and
events; the rows are few beside those, so a second, small statement per page is cheap.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from homelog.accounts.models import PROFESSION_LABELS, Agency, User
from homelog.extensions import db
from homelog.families.history import (
    DETAILS_CHANGED,
    LEAD_CHANGED,
    agreement_summary,
    change_lines,
    change_summary,
    long_date,
)
from homelog.families.models import FamilyChange
from homelog.rubric.models import AgreementRevision

AGREEMENT_REVISED = "agreement_revised"

_member = aliased(User)
_member_agency = aliased(Agency)

_CHANGES = (
    select(FamilyChange.id, FamilyChange.at, FamilyChange.kind, FamilyChange.changes,
           FamilyChange.reason, User.id, User.name, User.profession, Agency.id, Agency.name,
           _member.id, _member.name, _member.profession, _member_agency.id,
           _member_agency.name)
    .join(User, User.id == FamilyChange.by_id)
    .join(Agency, Agency.id == User.agency_id)
    .outerjoin(_member, _member.id == FamilyChange.member_id)
    .outerjoin(_member_agency, _member_agency.id == _member.agency_id)
    .where(FamilyChange.family_id == bindparam("family_id"))
    .order_by(FamilyChange.at.desc(), FamilyChange.id.desc())
    .limit(bindparam("limit"))
)

_REVISIONS = (
    select(AgreementRevision.id, AgreementRevision.recorded_at, AgreementRevision.revision,
           AgreementRevision.agreed_on, AgreementRevision.note,
           AgreementRevision.shared_with_parents_on, User.id, User.name, User.profession,
           Agency.id, Agency.name)
    .join(User, User.id == AgreementRevision.recorded_by_id)
    .join(Agency, Agency.id == User.agency_id)
    .where(AgreementRevision.family_id == bindparam("family_id"))
    .order_by(AgreementRevision.recorded_at.desc(), AgreementRevision.id.desc())
    .limit(bindparam("limit"))
)


def _person(user_id: int, name: str, profession: Any) -> dict[str, Any]:
    return {"id": user_id, "name": name, "profession": str(getattr(profession, "value",
                                                                   profession)),
            "profession_label": PROFESSION_LABELS[profession]}


def _change_item(row: Any) -> dict[str, Any]:
    (change_id, at, kind, changes, reason, by_id, by_name, by_profession, agency_id,
     agency_name, member_id, member_name, member_profession, member_agency_id,
     member_agency_name) = row
    member = None
    if member_id is not None:
        member = {**_person(member_id, member_name, member_profession),
                  "agency": {"id": member_agency_id, "name": member_agency_name}}
    shown = changes if kind in (DETAILS_CHANGED, LEAD_CHANGED) else {}
    when = at.isoformat()
    return {"type": "change", "id": change_id, "kind": kind, "at": when, "recorded_at": when,
            "author": _person(by_id, by_name, by_profession),
            "agency": {"id": agency_id, "name": agency_name},
            "summary": change_summary(kind, by_name, member_name, changes),
            "lines": change_lines(shown), "reason": reason, "member": member}


def _revision_item(row: Any) -> dict[str, Any]:
    (revision_id, recorded_at, revision, agreed_on, note, shared_on, by_id, by_name,
     by_profession, agency_id, agency_name) = row
    lines = [f"Note: {note}"] if note else []
    lines.append(f"Parents' copy: given on {long_date(shared_on)}" if shared_on
                 else "Parents' copy: not recorded as given")
    when = recorded_at.isoformat()
    return {"type": "change", "id": revision_id, "kind": AGREEMENT_REVISED, "at": when,
            "recorded_at": when, "author": _person(by_id, by_name, by_profession),
            "agency": {"id": agency_id, "name": agency_name},
            "summary": agreement_summary(revision, agreed_on), "lines": lines, "reason": "",
            "member": None, "revision": revision}


def change_items(family_id: int, limit: int) -> list[dict[str, Any]]:
    """The family's newest `limit` record changes and agreement revisions (each kind read up
    to `limit`), as timeline items, newest first (merged by the caller)."""
    params = {"family_id": family_id, "limit": limit}
    items = [_change_item(row) for row in db.session.execute(_CHANGES, params)]
    items += [_revision_item(row) for row in db.session.execute(_REVISIONS, params)]
    return items


def sort_key(item: dict[str, Any]) -> tuple[dt.datetime, dt.datetime, int, int]:
    """Newest first when sorted in reverse: the page query's order (time, recorded time,
    id, an event before a visit), with record changes last on a complete tie."""
    rank = _RANK.get(item["type"], -2 if item.get("kind") == AGREEMENT_REVISED else -1)
    return (dt.datetime.fromisoformat(item["at"]),
            dt.datetime.fromisoformat(item["recorded_at"]), item["id"], rank)


_RANK = {"event": 1, "visit": 0, "amendment": 0}
