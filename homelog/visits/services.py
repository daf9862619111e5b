"""Record visits, amendments and events, and read a family's timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from homelog.accounts.models import User
from homelog.accounts.services import actor_of
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid, not_found
from homelog.core.idempotency import key_reused
from homelog.core.inserts import insert_unless_duplicate
from homelog.core.signals import event_recorded, visit_recorded
from homelog.core.time import CLOCK_TOLERANCE, local_date, local_zone, utcnow
from homelog.core.transactions import begin_writes
from homelog.extensions import db
from homelog.families.lifecycle import check_open_at
from homelog.families.services import FamilyAccess, open_family
from homelog.rubric.concern_level import concern_level
from homelog.rubric.scale import CONCERN_LEVEL_MIN, concern_scores_in_words, is_concern
from homelog.rubric.services import Rubric, current_rubric, rubric_by_id, rubric_version
from homelog.visits.limits import notes_max
from homelog.visits.models import Event, Visit

PRESENT_OPTIONS = ("mother", "father_or_partner", "other_adult", "children_seen")
EVENT_KINDS = (
    "police_callout", "gp_information", "hospital_contact", "school_information",
    "housing_information", "other",
)
_AMENDABLE = ("visited_at", "announced", "present", "rooms_seen", "scores", "concerns",
              "notes", "child_presentation")

Row = TypeVar("Row", Visit, Event)


@dataclass(frozen=True)
class Submission:
    """Who is submitting, with what key, and the fingerprint of what they sent."""

    user: User
    key: str
    fingerprint: str


_replay_lookups: dict[type, Any] = {}


def _replayed_id(model: type[Row], author_column: Any, submission: Submission) -> int | None:
    """The id of the row an earlier submission with this key created, if any (422 if it differs)."""
    lookup = _replay_lookups.get(model)
    if lookup is None:
        lookup = _replay_lookups[model] = select(model.id, model.request_hash).where(
            author_column == bindparam("author_id"), model.idempotency_key == bindparam("key")
        )
    row = db.session.execute(lookup, {"author_id": submission.user.id,
                                      "key": submission.key}).first()
    if row is None:
        return None
    if row.request_hash != submission.fingerprint:
        raise key_reused()
    return int(row.id)


def _replayed(model: type[Row], author_column: Any, submission: Submission) -> Row | None:
    """The row an earlier submission with this key created, if any (422 if it differs)."""
    existing_id = _replayed_id(model, author_column, submission)
    return None if existing_id is None else db.session.get_one(model, existing_id)


def _insert_new(model: type[Row], author_column: Any, submission: Submission,
                values: dict[str, Any]) -> tuple[Row, bool]:
    """Insert unless this key was used; returns (row, created).

    A key already used returns its row if the content is the same, and 422 if not.

    The row returned for a new record is built from `values` rather than read back:
    one round trip instead of three on the busiest path.
    """
    begin_writes()
    unique = (author_column.key, "idempotency_key")
    new_id = insert_unless_duplicate(model.__table__, values, unique)
    if new_id is None:  # this key was used before (or by a submission racing this one)
        existing = _replayed(model, author_column, submission)
        if existing is None:
            raise RuntimeError("insert refused but no earlier submission found")
        return existing, False
    return model(id=new_id, **values), True


# --- validation -------------------------------------------------------------------------------

def _in_the_future() -> str:
    now = utcnow().astimezone(local_zone())
    minutes = int(CLOCK_TOLERANCE.total_seconds() // 60)
    return (f"Cannot be in the future: it is now {now:%H:%M} on {now.date().isoformat()} here, "
            f"and a time up to {minutes} minutes ahead is accepted. Check the phone's date and "
            "clock.")


def _check_when(visited_at: dt.datetime, family_opened_on: dt.date) -> list[str]:
    if visited_at > utcnow() + CLOCK_TOLERANCE:
        return [_in_the_future()]
    if local_date(visited_at) < family_opened_on:
        return [f"Cannot be before the family was opened on {family_opened_on.isoformat()}."]
    return []


def _check_keys(given: list[str] | dict, known: dict, what: str) -> list[str]:
    unknown = sorted(set(given) - set(known))
    return [f"Unknown {what}: {', '.join(unknown)}."] if unknown else []


def _concern_scores(scores: dict[str, int | None]) -> tuple[list[str], int]:
    """The domains scored a concern, and the partnership's concern level."""
    if not any(is_concern(score, CONCERN_LEVEL_MIN) for score in scores.values()):
        # No score reaches the lowest level a partnership may choose: none is a concern,
        # whatever the level, so the busiest path does not read it.
        return [], CONCERN_LEVEL_MIN
    level = concern_level()
    return sorted(key for key, score in scores.items() if is_concern(score, level)), level


def _needs_note(content: dict[str, Any]) -> list[str]:
    if content["notes"].strip():
        return []
    worrying, level = _concern_scores(content["scores"])
    if not (worrying or content["concerns"]):
        return []
    reasons = []
    if worrying:
        reasons.append(f"a score of {concern_scores_in_words(level)} ({', '.join(worrying)})")
    if content["concerns"]:
        reasons.append("an immediate concern")
    return [f"Add a note explaining {' and '.join(reasons)}."]


def check_visit(content: dict[str, Any], rubric: Rubric, family_opened_on: dt.date) -> None:
    """Every rule a visit must meet; raises 422 naming each field at fault."""
    problems = {
        "visited_at": _check_when(content["visited_at"], family_opened_on),
        "scores": _check_keys(content["scores"], rubric.domains, "domain"),
        "concerns": _check_keys(content["concerns"], rubric.concerns, "concern"),
        "rooms_seen": _check_keys(content["rooms_seen"], rubric.rooms, "room"),
        "present": _check_keys(content["present"], dict.fromkeys(PRESENT_OPTIONS), "person"),
    }
    missing = sorted(set(rubric.domains) - set(content["scores"]))
    if missing:
        problems["scores"].append(
            f"Give a score or null (not seen) for every domain; missing: {', '.join(missing)}."
        )
    limit = notes_max()
    if len(content["notes"]) > limit:
        problems["notes"] = [f"Notes are limited to {limit} characters; this has "
                             f"{len(content['notes'])}."]
    else:
        problems["notes"] = _needs_note(content)
    problems = {field: messages for field, messages in problems.items() if messages}
    if problems:
        raise invalid(problems)


def _visit_rubric(requested_version: int | None) -> Rubric:
    if requested_version is None:
        return current_rubric()
    rubric = rubric_version(requested_version)
    if rubric is None:
        raise invalid({"rubric_version": [f"No rubric version {requested_version}."]})
    return rubric


# --- visits -----------------------------------------------------------------------------------

def _visit_values(access: FamilyAccess, submission: Submission, rubric: Rubric,
                  content: dict[str, Any], **extra: Any) -> dict[str, Any]:
    user = submission.user
    return {
        "family_id": access.family_id,
        "rubric_version_id": rubric.id,
        "author_id": user.id,
        "agency_id": user.agency_id,
        "author_profession": user.profession.value,
        "recorded_at": utcnow(),
        "idempotency_key": submission.key,
        "request_hash": submission.fingerprint,
        "supersedes_id": None,
        "amendment_reason": None,
        **content,
        **extra,
    }


def record_visit(
    access: FamilyAccess, submission: Submission, data: dict[str, Any]
) -> tuple[Visit, bool]:
    """Record a visit once; a replay with the same key and content returns the first one.

    The insert itself finds a replay (the key's unique constraint), so a first
    submission, by far the most common, costs no look-up beforehand.
    """
    content = {key: data[key] for key in _AMENDABLE}
    try:
        rubric = _visit_rubric(data.get("rubric_version"))
        check_visit(content, rubric, access.opened_on)
        check_open_at(access, content["visited_at"], "visited_at")
    except ApiError:
        # A retry of a submission already accepted gets the original, even if the same
        # content would not pass now (the rubric changed since); a reused key, 422.
        existing = _replayed(Visit, Visit.author_id, submission)
        if existing is not None:
            return existing, False
        raise
    visit, created = _insert_new(
        Visit, Visit.author_id, submission, _visit_values(access, submission, rubric, content)
    )
    if created:
        record(actor_of(submission.user), "visit.create", basis=access.basis,
               family_id=access.family_id, target_type="visit", target_id=visit.id)
        visit_recorded.send(current_app._get_current_object(), visit=visit)
    return visit, created


def open_visit(user: User, visit_id: int, action: str) -> tuple[Visit, FamilyAccess]:
    """A visit the user may see (404 otherwise), with the access recorded."""
    family_id = db.session.execute(select(Visit.family_id).where(Visit.id == visit_id)).scalar()
    if family_id is None:
        raise not_found("No such visit, or you are not in the family's core group.")
    try:
        access = open_family(user, family_id, action, target_type="visit", target_id=visit_id)
    except ApiError as error:
        raise not_found("No such visit, or you are not in the family's core group.") from error
    return db.session.get_one(Visit, visit_id), access


def _superseded_by(visit_id: int) -> int | None:
    return db.session.execute(select(Visit.id).where(Visit.supersedes_id == visit_id)).scalar()


def _merge_changes(original: Visit, changes: dict[str, Any]) -> dict[str, Any]:
    content = original.content()
    for field, value in changes.items():
        if field == "scores":
            content["scores"] = {**content["scores"], **value}
        else:
            content[field] = value
    return content


def amend_visit(
    visit: Visit, access: FamilyAccess, submission: Submission, data: dict[str, Any]
) -> tuple[Visit, bool]:
    """Record a correction to a visit as a new visit that supersedes it; the original stays."""
    existing = _replayed(Visit, Visit.author_id, submission)
    if existing is not None:
        return existing, False
    if visit.author_id != submission.user.id:
        raise ApiError(403, "forbidden",
                       "Only the practitioner who recorded a visit can amend it.")
    later = _superseded_by(visit.id)
    if later is not None:
        raise ApiError(409, "already_amended",
                       f"This visit has already been amended; amend the latest version ({later}).",
                       {"visit_id": [f"Superseded by {later}."]})
    changes = {key: value for key, value in data.items() if key in _AMENDABLE}
    content = _merge_changes(visit, changes)
    if content == visit.content():
        raise invalid({"reason": ["The amendment changes nothing; include what is corrected."]})
    rubric = rubric_by_id(visit.rubric_version_id)
    check_visit(content, rubric, access.opened_on)
    values = _visit_values(access, submission, rubric, content, supersedes_id=visit.id,
                           amendment_reason=data["reason"].strip())
    try:
        # A savepoint: the other unique rule (one amendment per visit) may refuse the row.
        with db.session.begin_nested():
            amendment, created = _insert_new(Visit, Visit.author_id, submission, values)
    except IntegrityError as error:  # someone amended this visit meanwhile
        raise ApiError(409, "already_amended",
                       "This was changed by someone else just now; reload and try again."
                       ) from error
    if created:
        record(actor_of(submission.user), "visit.amend", basis=access.basis,
               family_id=access.family_id, target_type="visit", target_id=amendment.id,
               detail={"supersedes": visit.id})
        visit_recorded.send(current_app._get_current_object(), visit=amendment)
    return amendment, created


# --- events -----------------------------------------------------------------------------------

def record_event(
    access: FamilyAccess, submission: Submission, data: dict[str, Any]
) -> tuple[Event, bool]:
    """Record information that is not a visit; idempotent like visits."""
    existing = _replayed(Event, Event.recorded_by_id, submission)
    if existing is not None:
        return existing, False
    if data["occurred_at"] > utcnow() + CLOCK_TOLERANCE:
        raise invalid({"occurred_at": [_in_the_future()]})
    check_open_at(access, data["occurred_at"], "occurred_at")
    user = submission.user

    values = {
        "family_id": access.family_id, "occurred_at": data["occurred_at"], "kind": data["kind"],
        "summary": data["summary"], "source": data["source"], "recorded_by_id": user.id,
        "agency_id": user.agency_id, "author_profession": user.profession.value,
        "recorded_at": utcnow(), "idempotency_key": submission.key,
        "request_hash": submission.fingerprint,
    }
    event, created = _insert_new(Event, Event.recorded_by_id, submission, values)
    if created:
        record(actor_of(user), "event.create", basis=access.basis, family_id=access.family_id,
               target_type="event", target_id=event.id)
        event_recorded.send(current_app._get_current_object(), event=event)
    return event, created
