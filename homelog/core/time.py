"""Clock, time zone and calendar days. Instants are stored in UTC; the partnership's zone is
for people.

"Now" comes from `utcnow` alone, so a test can set it (time-machine) and every service, job
and rule sees the same instant. Days that people read are counted by `calendar_day` alone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

# A phone's clock can run a little fast: a visit or event up to this far ahead of the
# server's clock is accepted as it is; anything further ahead is a mistake and refused.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


def utcnow() -> dt.datetime:
    """The current instant, timezone-aware UTC: the one place the code asks the clock."""
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


def calendar_day(instant: dt.datetime, zone: dt.tzinfo) -> int:
    """The day an instant falls on, as people count days: Homelog's one rule for "a day".

    A day is a calendar date in the partnership's time zone, from local midnight to local
    midnight: 24 hours long, 23 or 25 on the Sundays the clocks change. The result is that
    date's number (`date.toordinal()`), so the number of days from one instant to another is
    the difference of their days, whatever the hours: a visit at 11:00 on 2 December was
    3 days ago at 00:30 on 5 December, as a practitioner counts it. Every figure and window
    in days follows from this:

    * "N days since" is `days_between(then, now)`;
    * "within N days" and "the N days to D" mean at most N days apart (so a window of N days
      to D starts on the day D - N);
    * a gap of N days comes true at the start (local midnight) of the day N days after the
      last visit (`start_of_day`).
    """
    return instant.astimezone(zone).toordinal()


def days_between(earlier: dt.datetime, later: dt.datetime, zone: dt.tzinfo) -> int:
    """Calendar days from `earlier` to `later` in `zone` (see `calendar_day`)."""
    return calendar_day(later, zone) - calendar_day(earlier, zone)


def start_of_day(day: int | dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The first instant (local midnight, in UTC) of a calendar day (see `calendar_day`).

    Where the clocks go forward at midnight, the day starts at the change itself.
    """
    date = dt.date.fromordinal(day) if isinstance(day, int) else day
    return dt.datetime.combine(date, dt.time(), tzinfo=zone).astimezone(dt.UTC)
