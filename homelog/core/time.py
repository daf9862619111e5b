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


def as_aware(value: dt.datetime) -> dt.datetime:
    """Read a naive datetime as partnership local time; keep an aware one as it is."""
    if value.tzinfo is None:
        return value.replace(tzinfo=local_zone())
    return value


def local_date(value: dt.datetime) -> dt.date:
    """The calendar date of an instant in the partnership's zone."""
    return value.astimezone(local_zone()).date()


def local_today() -> dt.date:
    """Today's date in the partnership's zone."""
    return utcnow().astimezone(local_zone()).date()
