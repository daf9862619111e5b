"""Clock and time-zone helpers. Instants are stored in UTC; the partnership's zone is for people."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> dt.datetime:
    """The current instant, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def local_zone() -> ZoneInfo:
    """The partnership's time zone (visits are entered in local time)."""
    return ZoneInfo(current_app.config["HOMELOG_TIMEZONE"])


def to_utc(value: dt.datetime) -> dt.datetime:
    """An instant in UTC; a naive datetime is read as partnership local time (what phones show)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(dt.UTC)


def local_date(value: dt.datetime) -> dt.date:
    """The calendar date of an instant in the partnership's zone."""
    return value.astimezone(local_zone()).date()


def local_today() -> dt.date:
    """Today's date in the partnership's zone."""
    return utcnow().astimezone(local_zone()).date()
