"""The words of a finding's sentence: local dates, domain and room names, counts.

Sentences are for practitioners: agency names, "8 Jul", "Kitchen and food hygiene", never a
key or an id. Dates are local dates in the partnership's zone, so an evening visit is not
dated the next day in UTC.
"""

from __future__ import annotations

import datetime as dt

from homelog.core.time import days_between
from homelog.engine.steps.history import History

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SMALL = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def local_date(history: History, when: dt.datetime) -> dt.date:
    """The local calendar date of an instant (remembered: many findings cite the same visits)."""
    date = history.local_dates.get(when)
    if date is None:
        zone = history.facts.local_zone
        date = history.local_dates[when] = (when.astimezone(zone) if zone else when).date()
    return date


def day(history: History, when: dt.datetime) -> str:
    """'8 Jul' (month names fixed here, so the server's locale cannot change them)."""
    return day_of(local_date(history, when))


def day_of(date: dt.date) -> str:
    return f"{date.day} {_MONTHS[date.month - 1]}"


def elapsed(history: History, earlier: dt.datetime, later: dt.datetime) -> str:
    """'in 2 days', counted in calendar days as a practitioner reads the two dates."""
    days = days_between(earlier, later, history.zone_or_utc)
    if days == 0:
        return "on the same day"
    return f"in {plural(days, 'day')}"


def domain_name(history: History, domain: str) -> str:
    return history.facts.domain_names.get(domain) or domain.replace("_", " ").capitalize()


def room_name(history: History, room: str) -> str:
    return history.facts.room_labels.get(room) or room.replace("_", " ").capitalize()


def concern_label(history: History, concern: str) -> str:
    return history.facts.concern_labels.get(concern) or concern.replace("_", " ").capitalize()


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 visit', '3 visits'."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def number(count: int) -> str:
    """'four' up to ten, then digits: how counts read at the start of a sentence."""
    return _SMALL[count] if 0 <= count < len(_SMALL) else str(count)


def times(count: int) -> str:
    """'once', 'twice', 'four times'."""
    if count == 1:
        return "once"
    if count == 2:
        return "twice"
    return f"{_SMALL[count] if count < len(_SMALL) else count} times"


def listing(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def levels(amount: float) -> str:
    """'1 level', '1.4 levels' (one decimal, no trailing .0)."""
    text = f"{amount:.1f}".removesuffix(".0")
    return f"{text} level" if text == "1" else f"{text} levels"
