"""A family's history as the rules read it: the visits up to `as_of`, and each domain's scores.

Built once per analysis in O(visits x domains); every rule then works on plain lists of
floats and ints, which keeps a 40-visit family well under a millisecond.

"As of visit i" means "as a replay would have seen it just after visit i": every visit up to
and including the last one at the same instant. Rules whose windows are measured back from
the latest visit use it to find when their current spell began (`spell_start`).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from homelog.core.time import calendar_day
from homelog.engine.steps.types import FamilyFacts, Parameters, VisitFact
from homelog.rubric.scale import GOOD_ENOUGH_MAX

HOUR = 3600.0
WEEK_DAYS = 7


@dataclass(slots=True)
class Series:
    """One domain's scores, oldest first, "not seen" left out."""

    domain: str
    agreed: int                 # the family's good-enough line for this domain as of as_of
    visit_index: list[int]      # index into History.visits of each score
    times: list[float]          # POSIX seconds of each score's visit
    days: list[int]             # the calendar day of each score's visit (windows in days)
    scores: list[int]
    announced: list[bool]       # whether each score's visit was announced
    worst: int                  # the worst score
    # The agreed level in force on each score's day: an agreement revised in the middle of
    # the history changes what counts as good enough only from its agreed-on date.
    agreed_at: list[int]
    # Every score at or better than the level in force then: rules skip the domain at once.
    settled: bool
    # (first day, level) of each agreed level over time, for `agreed_on_day`.
    line_from: list[tuple[int, int]]

    def good(self, position: int) -> bool:
        """Whether the score at `position` was good enough by the agreement then in force."""
        return self.scores[position] <= self.agreed_at[position]

    def agreed_on_day(self, day: int) -> int:
        """The agreed level in force on calendar day `day`."""
        level = self.line_from[0][1]
        for first, step_level in self.line_from:
            if first > day:
                break
            level = step_level
        return level


@dataclass(slots=True)
class History:
    facts: FamilyFacts
    params: Parameters
    as_of: dt.datetime
    visits: list[VisitFact]     # visited_at <= as_of, oldest first
    times: list[float]          # POSIX seconds of each visit
    days: list[int]             # the calendar day of each visit (core.time.calendar_day)
    today: int                  # the calendar day of as_of
    series: dict[str, Series]   # domain key -> scores, in the rubric's domain order
    # Local dates already worked out for sentences (see analysis_wording.local_date).
    local_dates: dict[dt.datetime, dt.date] = field(default_factory=dict)

    @property
    def last(self) -> int:
        """Index of the latest visit (-1 when there is none)."""
        return len(self.visits) - 1

    def previous_point(self, point: int) -> int:
        """The as-of point before `point`: the last visit at an earlier instant (-1 if none)."""
        instant = self.times[point]
        point -= 1
        while point >= 0 and self.times[point] == instant:
            point -= 1
        return point

    def spell_start(self, holds: Callable[[int], bool]) -> int:
        """The first as-of point of the trailing run of points at which `holds` is true.

        The caller has checked `holds(self.last)`. Walking back only while the condition
        holds keeps the cost proportional to the length of the spell, and is paid only by
        findings that are true.
        """
        point = self.last
        while True:
            earlier = self.previous_point(point)
            if earlier < 0 or not holds(earlier):
                return point
            point = earlier

    def days_since(self, index: int) -> int:
        """Calendar days from the visit at `index` to as_of."""
        return self.today - self.days[index]

    @property
    def zone_or_utc(self) -> dt.tzinfo:
        return self.facts.local_zone or dt.UTC


def build_history(facts: FamilyFacts, params: Parameters, as_of: dt.datetime) -> History:
    """The visits up to `as_of` and their scores per domain; later visits are never looked at."""
    visits = _in_order(facts.visits)
    times = [visit.visited_at.timestamp() for visit in visits]
    cutoff = bisect_right(times, as_of.timestamp())
    del visits[cutoff:], times[cutoff:]
    zone = facts.local_zone or dt.UTC
    days = [calendar_day(visit.visited_at, zone) for visit in visits]
    return History(facts, params, as_of, visits, times, days, calendar_day(as_of, zone),
                   _series(facts, visits, times, days, as_of))


def _in_order(visits: tuple[VisitFact, ...]) -> list[VisitFact]:
    # The services give visits in order; sorting anyway costs one linear check when they do.
    ordered = list(visits)
    if any(a.visited_at > b.visited_at for a, b in pairwise(ordered)):
        ordered.sort(key=lambda visit: (visit.visited_at, visit.id))
    return ordered


def _series(facts: FamilyFacts, visits: list[VisitFact], times: list[float],
            days: list[int], as_of: dt.datetime) -> dict[str, Series]:
    # One pass over every score: the only O(visits x domains) step of an analysis.
    columns: dict[str, tuple[list[int], list[int]]] = {
        domain: ([], []) for domain in facts.domain_names  # the rubric's order, for sentences
    }
    for index, visit in enumerate(visits):
        for domain, score in visit.scores.items():
            if score is not None:
                column = columns.get(domain)
                if column is None:
                    column = columns[domain] = ([], [])
                column[0].append(index)
                column[1].append(score)
    announced = [visit.announced for visit in visits]
    today = calendar_day(as_of, facts.local_zone or dt.UTC)
    series = {}
    for domain, (indices, scores) in columns.items():
        if not scores:
            continue
        line_from = _line_from(facts, domain)
        score_days = [days[index] for index in indices]
        agreed_at = _levels_on(line_from, score_days)
        series[domain] = Series(
            domain, _levels_on(line_from, [today])[0], indices,
            [times[index] for index in indices], score_days, scores,
            [announced[index] for index in indices], max(scores), agreed_at,
            all(score <= level for score, level in zip(scores, agreed_at, strict=True)),
            line_from,
        )
    return series


def _line_from(facts: FamilyFacts, domain: str) -> list[tuple[int, int]]:
    """(first calendar day, level) of each agreed level of `domain`, oldest first."""
    # a domain with no agreed level is held to the scale's good enough
    now = facts.agreed_levels.get(domain, GOOD_ENOUGH_MAX)
    if len(facts.agreed_steps) < 2:
        return [(0, now)]  # one level all along
    return [(starts.toordinal() if starts else 0, levels.get(domain, now))
            for starts, levels in facts.agreed_steps]


def _levels_on(line_from: list[tuple[int, int]], days: list[int]) -> list[int]:
    """The level in force on each of `days` (in order), in one pass."""
    if len(line_from) == 1:
        return [line_from[0][1]] * len(days)
    starts = [first for first, _ in line_from]
    return [line_from[bisect_right(starts, day) - 1][1] for day in days]
