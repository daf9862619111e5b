"""The tests' clock: the real one, or an instant a whole run is pinned to.

`make test` runs the time-sensitive tests again with HOMELOG_TEST_NOW set to instants where
calendars go wrong (just after midnight in London, the Sundays the clocks change, 29 February,
the last minute of the year). Each test then starts at that instant, with time-machine
moving the clock on from there as the test runs, so every test sees the same calendar;
fixtures shared by several tests are made a little before it (tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine

from homelog.core.time import utcnow

PINNED_ENV = "HOMELOG_TEST_NOW"
# The partnership's zone as the test apps have it (the default of HOMELOG_TIMEZONE).
ZONE = ZoneInfo(os.environ.get("HOMELOG_TIMEZONE", "Europe/London"))


def now() -> dt.datetime:
    """The current instant, as the app sees it (real, pinned or frozen)."""
    return utcnow()


def today() -> dt.date:
    """Today in the partnership's zone (not the machine's: its TZ may be anywhere)."""
    return now().astimezone(ZONE).date()


def local_instant(day: dt.date, hour: float = 11) -> dt.datetime:
    """`hour` o'clock local time on `day`, as a UTC instant."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=ZONE)
    return (midnight + dt.timedelta(hours=hour)).astimezone(dt.UTC)


def days_ago(days: int, hour: float = 11) -> dt.datetime:
    """`hour` o'clock local time on the calendar day `days` before today, and never in the
    future: today's "11:00" just after midnight is a minute ago instead."""
    instant = local_instant(today() - dt.timedelta(days=days), hour)
    return min(instant, now() - dt.timedelta(minutes=1))


def pinned_instant() -> dt.datetime | None:
    """The instant this run is pinned to, if any (an ISO 8601 time with its offset)."""
    text = os.environ.get(PINNED_ENV, "").strip()
    if not text:
        return None
    instant = dt.datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(f"{PINNED_ENV}={text!r} needs an offset, e.g. 2027-03-28T01:05:00+00:00")
    return instant.astimezone(dt.UTC)


def describe_clock() -> str:
    """How this run tells the time, in the words a failure report shows."""
    instant = pinned_instant()
    zone = os.environ.get("TZ") or "the machine's own"
    if instant is None:
        return f"the real clock (machine time zone: {zone})"
    return f"{PINNED_ENV}={instant.isoformat()} (machine time zone: {zone})"


# Fixtures shared by several tests (a module's demo partnership, say) are made this long
# before the pinned instant, so what they record is never in the future of a test.
SHARED_FIXTURES_EARLIER = dt.timedelta(minutes=10)


@contextmanager
def pinned_clock(earlier: dt.timedelta = dt.timedelta(0)) -> Iterator[dt.datetime | None]:
    """Within it, "now" starts at the pinned instant (less `earlier`) and moves on; on the
    real clock it changes nothing."""
    instant = pinned_instant()
    if instant is None:
        yield None
        return
    with _travel(instant - earlier, tick=True):
        yield instant - earlier


@contextmanager
def later_today_at(hour: float) -> Iterator[dt.datetime]:
    """Move the clock (ticking on) to `hour` o'clock local time today, for tests that need
    the rest of a day to themselves (a digest's "same day", say)."""
    instant = local_instant(today(), hour)
    with _travel(instant, tick=True):
        yield instant


@contextmanager
def frozen_at(instant: dt.datetime) -> Iterator[None]:
    """Within it, "now" is `instant` and does not move: for tests about one moment."""
    with _travel(instant, tick=False):
        yield


def _travel(instant: dt.datetime, *, tick: bool) -> time_machine.travel:
    """Move the clock, not the time zone: given an aware datetime, time-machine also sets the
    process's TZ to its zone (UTC here), which would hide the machine's own zone from the
    tests; a POSIX timestamp moves the clock alone."""
    return time_machine.travel(instant.timestamp(), tick=tick)
