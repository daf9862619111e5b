"""Rule 9: cumulative exposure - how long the children have lived with a concern (a metric,
kept on the family page, not a flag)."""

from __future__ import annotations

import datetime as dt

from homelog.engine.analysis_history import DAY, History, Series


def days_at_concern(history: History) -> tuple[int, dict[str, int]]:
    """Whole days since the plan started during which some domain was at a concern (4-5).

    Between visits a domain is taken to stay at its last score (a "not seen" keeps the
    score before it): the last thing known about the home is what the children live with
    until someone sees otherwise. Returns the family's days (any domain at a concern) and
    each domain's own days.
    """
    start = dt.datetime.combine(history.facts.plan_started_on, dt.time(),
                                tzinfo=history.zone_or_utc).timestamp()
    end = history.as_of.timestamp()
    if end <= start:
        return 0, {}
    spells: list[tuple[float, float]] = []
    by_domain = {}
    for domain, line in history.series.items():
        if line.worst < history.params.concern_level:
            continue  # never a concern: nothing to count
        clipped = [(max(low, start), min(high, end))
                   for low, high in _concern_spells(history, line, end)]
        clipped = [(low, high) for low, high in clipped if high > low]
        seconds = sum(high - low for low, high in clipped)
        if seconds > 0:
            by_domain[domain] = int(seconds // DAY)
            spells += clipped
    return int(_union_seconds(spells) // DAY), by_domain


def _concern_spells(history: History, line: Series, end: float) -> list[tuple[float, float]]:
    """From each score at a concern to the next score that is not (or to `end`)."""
    concern = history.params.concern_level
    spells, began = [], None
    for instant, score in zip(line.times, line.scores, strict=True):
        if score >= concern:
            began = instant if began is None else began
        elif began is not None:
            spells.append((began, instant))
            began = None
    if began is not None:
        spells.append((began, end))
    return spells


def _union_seconds(spells: list[tuple[float, float]]) -> float:
    """The length of the union of the spells (any domain at a concern)."""
    total, reach = 0.0, float("-inf")
    for low, high in sorted(spells):
        if high > reach:
            total += high - max(low, reach)
            reach = high
    return total
