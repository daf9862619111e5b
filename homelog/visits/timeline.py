"""A family's timeline: every agency's visits, amendments and events, newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from homelog.accounts.models import PROFESSION_LABELS, Agency, Profession, User
from homelog.extensions import db
from homelog.rubric.models import RubricVersion
from homelog.visits.models import Event, Visit


def _person(user_id: int, name: str, profession: str) -> dict[str, Any]:
    return {"id": user_id, "name": name, "profession": profession,
            "profession_label": PROFESSION_LABELS[Profession(profession)]}


def _visit_rows(condition: Any, limit: int) -> list[dict[str, Any]]:
    later = aliased(Visit)
    rows = db.session.execute(
        select(Visit, User.name, Agency.id, Agency.name, RubricVersion.version, later.id)
        .join(User, User.id == Visit.author_id)
        .join(Agency, Agency.id == Visit.agency_id)
        .join(RubricVersion, RubricVersion.id == Visit.rubric_version_id)
        .outerjoin(later, later.supersedes_id == Visit.id)
        .where(condition)
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "type": "amendment" if visit.supersedes_id else "visit",
            "id": visit.id,
            "at": visit.visited_at,
            "recorded_at": visit.recorded_at,
            "agency": {"id": agency_id, "name": agency_name},
            "author": _person(visit.author_id, author_name, visit.author_profession),
            "announced": visit.announced,
            "present": visit.present,
            "rooms_seen": visit.rooms_seen,
            "scores": visit.scores,
            "concerns": visit.concerns,
            "notes": visit.notes,
            "child_presentation": visit.child_presentation,
            "rubric_version": version,
            "supersedes_id": visit.supersedes_id,
            "amendment_reason": visit.amendment_reason,
            "superseded_by_id": superseded_by,
        }
        for visit, author_name, agency_id, agency_name, version, superseded_by in rows
    ]


def _event_rows(condition: Any, limit: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Event, User.name, Agency.id, Agency.name)
        .join(User, User.id == Event.recorded_by_id)
        .join(Agency, Agency.id == Event.agency_id)
        .where(condition)
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "type": "event",
            "id": event.id,
            "at": event.occurred_at,
            "recorded_at": event.recorded_at,
            "agency": {"id": agency_id, "name": agency_name},
            "author": _person(event.recorded_by_id, author_name, event.author_profession),
            "kind": event.kind,
            "summary": event.summary,
            "source": event.source,
        }
        for event, author_name, agency_id, agency_name in rows
    ]


def timeline_page(family_id: int, page: int, per_page: int) -> dict[str, Any]:
    """One page of the timeline. Both sources are read up to the page's end and merged by time."""
    end = page * per_page
    # One extra row tells whether another page exists without counting everything.
    items = (_visit_rows(Visit.family_id == family_id, end + 1)
             + _event_rows(Event.family_id == family_id, end + 1))
    items.sort(key=lambda item: (item["at"], item["recorded_at"], item["id"]), reverse=True)
    start = (page - 1) * per_page
    return {
        "items": items[start:end],
        "page": page,
        "per_page": per_page,
        "has_more": len(items) > end,
    }


def describe_visit(visit: Visit) -> dict[str, Any]:
    """One visit as the API shows it (as on the timeline, plus its family and time)."""
    (item,) = _visit_rows(Visit.id == visit.id, 1)
    return {**item, "family_id": visit.family_id, "visited_at": item["at"]}


def describe_event(event: Event) -> dict[str, Any]:
    """One event as the API shows it."""
    (item,) = _event_rows(Event.id == event.id, 1)
    return {**item, "family_id": event.family_id, "occurred_at": item["at"]}
