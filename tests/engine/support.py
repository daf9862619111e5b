"""Helpers for engine and alerts tests: visits recorded through the real services, engine runs.

Each helper runs in its own app context and commits, as a request or a job would, and
returns plain values so no ORM object leaks into what the test does next.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import select

from homelog.accounts.models import User
from homelog.core.idempotency import request_fingerprint
from homelog.engine.jobs import RunReport, run_engine
from homelog.engine.models import Flag
from homelog.extensions import db
from homelog.families.services import open_family
from homelog.rubric.services import current_rubric
from homelog.visits import services as visits
from tests.factories import DOMAINS
from tests.support import clock

ALL_PRESENT = ("mother", "father_or_partner", "children_seen")


def at_days_ago(days: int, hour: int = 11) -> dt.datetime:
    """`hour` o'clock local time on the calendar day `days` before today (never in the
    future: see tests.support.clock.days_ago)."""
    return clock.days_ago(days, hour)


def add_visit(
    app: Flask,
    family_id: int,
    author_id: int,
    at: dt.datetime,
    scores: dict[str, int | None] | None = None,
    *,
    announced: bool = False,
    concerns: Iterable[str] = (),
    present: Iterable[str] = ALL_PRESENT,
    rooms: Iterable[str] | None = None,
    notes: str | None = None,
) -> int:
    """Record a visit as `author_id` would from a phone; every domain 2 unless given."""
    with app.app_context():
        rubric = current_rubric()
        all_scores: dict[str, int | None] = dict.fromkeys(DOMAINS, 2)
        all_scores.update(scores or {})
        worrying = any(score and score >= 4 for score in all_scores.values())
        body: dict[str, Any] = {
            "visited_at": at, "announced": announced, "present": list(present),
            "rooms_seen": list(rooms if rooms is not None else rubric.rooms),
            "scores": all_scores, "concerns": list(concerns),
            "notes": notes if notes is not None else (
                "Seen and discussed with the family." if worrying or concerns else ""),
            "child_presentation": "", "rubric_version": None,
        }
        user = db.session.get_one(User, author_id)
        access = open_family(user, family_id, None)
        submission = visits.Submission(user, str(uuid.uuid4()),
                                       request_fingerprint("test", str(body)))
        visit, _ = visits.record_visit(access, submission, body)
        db.session.commit()
        return visit.id


def amend(app: Flask, visit_id: int, author_id: int, reason: str, **changes: Any) -> int:
    """Amend a visit through the real service; returns the amendment's id."""
    with app.app_context():
        user = db.session.get_one(User, author_id)
        visit, access = visits.open_visit(user, visit_id, "visit.view")
        submission = visits.Submission(user, str(uuid.uuid4()),
                                       request_fingerprint("test", str(changes)))
        amendment, _ = visits.amend_visit(visit, access, submission,
                                          {"reason": reason, **changes})
        db.session.commit()
        return amendment.id


def analyse(app: Flask, family_ids: Iterable[int], as_of: dt.datetime | None = None,
            now: dt.datetime | None = None) -> RunReport:
    """Run the engine over these families (as the job or the CLI does)."""
    now = now or clock.now()
    with app.app_context():
        report = run_engine(as_of or now, now, list(family_ids))
        db.session.remove()
        return report


def flags_of(app: Flask, family_id: int, state: str | None = None) -> list[dict[str, Any]]:
    """A family's flags as plain dicts, oldest first."""
    with app.app_context():
        query = select(Flag).where(Flag.family_id == family_id).order_by(Flag.id)
        if state:
            query = query.where(Flag.state == state)
        return [{column.name: getattr(flag, column.name) for column in Flag.__table__.columns}
                for flag in db.session.execute(query).scalars()]


def keys(flags: list[dict[str, Any]]) -> set[str]:
    return {flag["key"] for flag in flags}
