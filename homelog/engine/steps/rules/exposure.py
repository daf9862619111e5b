"""Rule 9: cumulative exposure - how long the children have lived with a concern (a metric,
kept on the family page, not a flag)."""

from __future__ import annotations

from homelog.engine.steps.history import History, Series
from homelog.rubric.scale import is_concern


def days_at_concern(history: History) -> tuple[int, dict[str, int]]:
    """Calendar days since the plan started during which some domain was at a
    concern (the partnership's concern level or worse).

    Between visits a domain is taken to stay at its last score (a "not seen" keeps the
    score before it): the last thing known about the home is what the children live with
    until someone sees otherwise. A spell counts the days from the day of the visit that
    found the concern to the day of the visit that found it gone (or to today), as
    core.time.calendar_day counts days. Returns the family's days (any domain at a concern)
    and each domain's own days.
    """
    start = history.facts.plan_started_on.toordinal()
    end = history.today
    if end <= start:
        return 0, {}
    spells: list[tuple[int, int]] = []
    by_domain = {}
    for domain, line in history.series.items():
        if not is_concern(line.worst, history.params.concern_level):
            continue  # never a concern: nothing to count
        clipped = [(max(low, start), min(high, end))
                   for low, high in _concern_spells(history, line, end)]
        clipped = [(low, high) for low, high in clipped if high > low]
        days = sum(high - low for low, high in clipped)
        if days > 0:
            by_domain[domain] = days
            spells += clipped
    return _union_days(spells), by_domain


def _concern_spells(history: History, line: Series, end: int) -> list[tuple[int, int]]:
    """From the day of each score at a concern to the day of the next score that is not (or
    to `end`)."""
    concern = history.params.concern_level
    spells, began = [], None
    for day, score in zip(line.days, line.scores, strict=True):
        if is_concern(score, concern):
            began = day if began is None else began
        elif began is not None:
            spells.append((began, day))
            began = None
    if began is not None:
        spells.append((began, end))
    return spells


def _union_days(spells: list[tuple[int, int]]) -> int:
    """The length of the union of the spells (any domain at a concern)."""
    total, reach = 0, 0  # day numbers start at 1
    for low, high in sorted(spells):
        if high > reach:
            total += high - max(low, reach)
            reach = high
    return total
