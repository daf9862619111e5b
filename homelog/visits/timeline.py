"""A family's timeline: every agency's visits, amendments and events, and the changes to
the family's record, core group and agreement (timeline_changes.py), newest first.

This is the most-read page in Homelog, so its queries are built once (with bind
parameters) and read plain columns rather than ORM objects into plain dicts; the
response schemas (TimelineOutSchema, VisitOutSchema: fast dump schemas, see
core/schemas.py) say which fields are shown. A page's times and JSON columns arrive as
the text the response shows (_page_type).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Select,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from homelog.accounts.models import PROFESSION_LABELS, Agency, User
from homelog.core.db import ISOTimeText, JSONText, UTCDateTime
from homelog.extensions import db
from homelog.families.services import FamilyAccess, admit, membership_statement
from homelog.rubric.models import RubricVersion
from homelog.rubric.services import rubric_by_id
from homelog.visits.models import Event, Visit
from homelog.visits.timeline_changes import change_items, sort_key

_later = aliased(Visit)
_VISIT_COLUMNS = (
    Visit.id, Visit.family_id, Visit.visited_at, Visit.recorded_at, Visit.author_id,
    Visit.author_profession, Visit.announced, Visit.present, Visit.rooms_seen, Visit.scores,
    Visit.concerns, Visit.notes, Visit.child_presentation, Visit.supersedes_id,
    Visit.amendment_reason, User.name.label("author_name"), Agency.id.label("agency_id"),
    Agency.name.label("agency_name"), RubricVersion.version.label("rubric_version"),
    _later.id.label("superseded_by_id"),
)
_EVENT_COLUMNS = (
    Event.id, Event.family_id, Event.occurred_at, Event.recorded_at, Event.recorded_by_id,
    Event.author_profession, Event.kind, Event.summary, Event.source,
    User.name.label("author_name"), Agency.id.label("agency_id"),
    Agency.name.label("agency_name"),
)


def _visits_query() -> Select[Any]:
    return (
        select(*_VISIT_COLUMNS)
        .join(User, User.id == Visit.author_id)
        .join(Agency, Agency.id == Visit.agency_id)
        .join(RubricVersion, RubricVersion.id == Visit.rubric_version_id)
        .outerjoin(_later, _later.supersedes_id == Visit.id)
    )


def _events_query() -> Select[Any]:
    return (
        select(*_EVENT_COLUMNS)
        .join(User, User.id == Event.recorded_by_id)
        .join(Agency, Agency.id == Event.agency_id)
    )


_ONE_VISIT = _visits_query().where(Visit.id == bindparam("visit_id"))


def _page_type(column: Any) -> Any:
    """How the page reads a column: times as their ISO text, JSON as its text undecoded.

    A page is only ever shown, so its times and JSON go out as the text they become in
    the response anyway (see core/db.py); the other readers get datetimes and objects.
    """
    if isinstance(column.type, UTCDateTime):
        return ISOTimeText()
    if isinstance(column.type, JSON):
        return JSONText()
    return column.type


def _shown(column: Any, label: str | None = None) -> Any:
    """A column as the page reads it (see _page_type)."""
    shown_type = _page_type(column)
    if isinstance(shown_type, JSONText):
        shown = cast(column, shown_type)  # CAST AS TEXT: the database sends the JSON's text
    elif shown_type is column.type:
        shown = column
    else:
        shown = type_coerce(column, shown_type)
    return shown.label(label or column.key)


def _nothing(column: Any) -> Any:
    """A typed NULL standing for a column the other kind of record does not have."""
    return cast(null(), _page_type(column)).label(column.key)


def _page_query(dialect: str) -> Select[Any]:
    """The reader's membership and the family's visits and events, newest first, up to
    :limit rows, in one statement.

    Each kind is read up to the page's end through its own index, then both are merged
    by (time, recorded time, id), an event before a visit on a complete tie. Every row
    has the membership's two columns, a 0 (visit) or 1 (event), the visit's columns
    (_VISIT_COLUMNS, time labelled "at") and then the event's own three.

    On PostgreSQL the statement's text must stay under 4 KB, the longest psycopg keeps
    parsed between executions (a longer one is parsed again on every request): the
    two kinds are merged as they are, where SQLite needs each wrapped in a SELECT of
    every column, and the subqueries have one-letter names.
    """
    event_only = (Event.kind, Event.summary, Event.source)
    visit_only = (Visit.announced, Visit.present, Visit.rooms_seen, Visit.scores,
                  Visit.concerns, Visit.notes, Visit.child_presentation, Visit.supersedes_id,
                  Visit.amendment_reason)
    visits = (
        _visits_query()
        .with_only_columns(
            literal_column("0").label("is_event"),
            *(_shown(c, "at") if c is Visit.visited_at else _shown(c) for c in _VISIT_COLUMNS),
            *(_nothing(c) for c in event_only))
        .where(Visit.family_id == bindparam("family_id"))
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
        .limit(bindparam("limit"))
    )
    events = (
        _events_query()
        .with_only_columns(
            literal_column("1").label("is_event"), Event.id, Event.family_id,
            _shown(Event.occurred_at, "at"), _shown(Event.recorded_at),
            Event.recorded_by_id.label("author_id"), Event.author_profession,
            *(_nothing(c) for c in visit_only),
            User.name.label("author_name"), Agency.id.label("agency_id"),
            Agency.name.label("agency_name"),
            cast(null(), RubricVersion.version.type).label("rubric_version"),
            cast(null(), Visit.id.type).label("superseded_by_id"), *event_only)
        .where(Event.family_id == bindparam("family_id"))
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(bindparam("limit"))
    )
    if dialect == "sqlite":  # no ORDER BY or LIMIT in a part of a UNION, only in a subquery
        visits, events = select(visits.subquery("v")), select(events.subquery("e"))
    merged = union_all(visits, events).subquery("m")
    # The reader's membership in the same statement: no row at all outside the core
    # group, and one row of nothing for a member of a family with nothing recorded yet.
    member = membership_statement().subquery("g")
    return (
        select(member.c.opened_on, member.c.is_lead, merged)
        .select_from(member.outerjoin(merged, true()))
        .order_by(merged.c.at.desc(), merged.c.recorded_at.desc(), merged.c.id.desc(),
                  merged.c.is_event.desc())
        .limit(bindparam("limit"))
    )


_PAGE = {dialect: _page_query(dialect) for dialect in ("sqlite", "postgresql")}
_ONE_EVENT = _events_query().where(Event.id == bindparam("event_id"))


def _person(user_id: int, name: str, profession: str) -> dict[str, Any]:
    # Professions are str enums, so the stored value finds its label directly.
    return {"id": user_id, "name": name, "profession": profession,
            "profession_label": PROFESSION_LABELS[profession]}  # type: ignore[index]


# Rows are unpacked by position (in _VISIT_COLUMNS / _EVENT_COLUMNS order): reading a
# result row's attributes by name costs more than everything else done with it.

def _visit_item(row: Sequence[Any]) -> dict[str, Any]:
    (visit_id, _family_id, visited_at, recorded_at, author_id, author_profession, announced,
     present, rooms_seen, scores, concerns, notes, child_presentation, supersedes_id,
     amendment_reason, author_name, agency_id, agency_name, rubric_version,
     superseded_by_id) = row
    return {
        "type": "amendment" if supersedes_id else "visit",
        "id": visit_id,
        "at": visited_at,
        "recorded_at": recorded_at,
        "agency": {"id": agency_id, "name": agency_name},
        "author": _person(author_id, author_name, author_profession),
        "announced": announced,
        "present": present,
        "rooms_seen": rooms_seen,
        "scores": scores,
        "concerns": concerns,
        "notes": notes,
        "child_presentation": child_presentation,
        "rubric_version": rubric_version,
        "supersedes_id": supersedes_id,
        "amendment_reason": amendment_reason,
        "superseded_by_id": superseded_by_id,
    }


def _event_item(row: Sequence[Any]) -> dict[str, Any]:
    (event_id, _family_id, occurred_at, recorded_at, recorded_by_id, author_profession, kind,
     summary, source, author_name, agency_id, agency_name) = row
    return {
        "type": "event",
        "id": event_id,
        "at": occurred_at,
        "recorded_at": recorded_at,
        "agency": {"id": agency_id, "name": agency_name},
        "author": _person(recorded_by_id, author_name, author_profession),
        "kind": kind,
        "summary": summary,
        "source": source,
    }


def _as_event(row: Sequence[Any]) -> tuple[Any, ...]:
    """An event's row of the page query, in _EVENT_COLUMNS order."""
    return (*row[1:7], *row[21:24], *row[16:19])


def timeline_page(user: User, family_id: int, page: int, per_page: int) -> dict[str, Any]:
    """One page of the timeline (visits and events merged by time) for a core-group
    member, audited as read; 404 for anyone else (families' rule, applied by `admit`).

    The user's membership is read in the same statement as the page.
    """
    end = page * per_page
    # One extra row tells whether another page exists without counting everything.
    params = {"family_id": family_id, "user_id": user.id, "limit": end + 1}
    # Plain column reads: the session's connection runs them without the ORM's layer.
    connection = db.session.connection()
    rows = connection.execute(_PAGE[connection.dialect.name], params).all()
    access = FamilyAccess(family_id, rows[0][0], rows[0][1]) if rows else None
    admit(user, family_id, access, "timeline.view", detail={"page": page})
    start = (page - 1) * per_page
    items = [_event_item(_as_event(row[2:])) if row[2] else _visit_item(row[3:23])
             for row in rows if row[2] is not None]
    # The record's changes, read up to the page's end too, merged in by time: of every
    # kind's newest end + 1, the newest end + 1 overall are the same as of everything.
    changes = change_items(family_id, end + 1)
    if changes:
        items = sorted(items + changes, key=sort_key, reverse=True)
    return {"items": items[start:end], "page": page, "per_page": per_page,
            "has_more": len(items) > end}


def _as_visit(item: dict[str, Any], family_id: int) -> dict[str, Any]:
    """A timeline item as the visit endpoints show it (VisitOutSchema's fields exactly):
    its family, and visited_at instead of the timeline's type and at."""
    shown = {key: value for key, value in item.items() if key not in ("type", "at")}
    return {**shown, "family_id": family_id, "visited_at": item["at"]}


def describe_new_visit(visit: Visit, author_name: str, agency_name: str) -> dict[str, Any]:
    """A visit just recorded, described from what is in hand instead of read back."""
    extra = {"author_name": author_name, "agency_id": visit.agency_id, "agency_name": agency_name,
             "rubric_version": rubric_by_id(visit.rubric_version_id).version,
             "superseded_by_id": None}
    row = [extra[column.key] if column.key in extra else getattr(visit, column.key)
           for column in _VISIT_COLUMNS]
    return _as_visit(_visit_item(row), visit.family_id)


def describe_visit(visit_id: int) -> dict[str, Any]:
    """One visit as the API shows it (as on the timeline, plus its family and time)."""
    row = db.session.execute(_ONE_VISIT, {"visit_id": visit_id}).one()
    return _as_visit(_visit_item(row), row.family_id)


def describe_event(event_id: int) -> dict[str, Any]:
    """One event as the API shows it."""
    row = db.session.execute(_ONE_EVENT, {"event_id": event_id}).one()
    item = {key: value for key, value in _event_item(row).items() if key not in ("type", "at")}
    return {**item, "family_id": row.family_id, "occurred_at": row.occurred_at}
