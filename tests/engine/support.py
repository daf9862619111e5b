"""Helpers for engine and alerts tests: dates, engine runs and the flags they leave.

Visits are recorded through the factory (tests/factories.py). Each helper here runs in its
own app context, as a job would, and returns plain values so no ORM object leaks into what
the test does next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import select

from homelog.engine.jobs import RunReport, run_engine
from homelog.engine.models import Flag
from homelog.extensions import db
from tests.support import clock


def at_days_ago(days: int, hour: int = 11) -> dt.datetime:
    """`hour` o'clock local time on the calendar day `days` before today (never in the
    future: see tests.support.clock.days_ago)."""
    return clock.days_ago(days, hour)


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
