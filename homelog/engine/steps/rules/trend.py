"""Rule 6: a worsening trend, and the rolling median the trend charts draw.

The rolling median at a visit is the median of the domain's scores in the fortnight
(`trend_median_days`, 14 calendar days) ending on the visit's day: scores less than 14 days
before it, up to the visit itself. A single bad or good visit barely moves it. The trend is
the least-squares slope of that median sampled weekly, over up to `trend_max_weeks` (12)
weekly points, 7 calendar days apart, back from the latest visit's day; it needs points
reaching back at least `trend_min_weeks` (8) weeks and at least `trend_min_points` (6) of
them with scores. A rising slope is flagged only once the latest rolling median is itself
worse than the family's agreed level: drifting from 1 to 2 inside the good-enough band is
ordinary noise (a stable family with scores of 1 and 2 must raise nothing).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from homelog.engine.steps.analysis_wording import day, domain_name, levels, plural
from homelog.engine.steps.history import WEEK_DAYS, History, Series
from homelog.engine.steps.rules.evidence import score_visit_ids
from homelog.engine.steps.types import Finding, FlagKind, Severity


def median_up_to(history: History, line: Series, position: int) -> float:
    """The median of the domain's scores in the `trend_median_days` up to the score at
    `position` (that score and every earlier one; later ones on the same day are not yet)."""
    low = bisect_right(line.days, line.days[position] - history.params.trend_median_days)
    return _median(line.scores[low:position + 1])


def rolling_medians(history: History) -> dict[str, list[tuple[dt.datetime, float]]]:
    """Each domain's rolling median at each of its scores, for the trends endpoint."""
    return {
        domain: [(history.visits[index].visited_at, median_up_to(history, line, position))
                 for position, index in enumerate(line.visit_index)]
        for domain, line in history.series.items()
    }


@dataclass(slots=True)
class _Fit:
    slope: float        # levels per week, positive = worse
    weeks: int          # weekly points from the oldest to the latest, inclusive
    first: float        # the oldest and the latest weekly median
    last: float


def _fit(history: History, line: Series, point: int) -> _Fit | None:
    """The trend as of the visit at as-of `point`, when it is a worsening one."""
    params = history.params
    if line.days[0] > history.days[point] - (params.trend_min_weeks - 1) * WEEK_DAYS:
        return None  # not enough history in this domain yet
    weeks, medians = _weekly_medians(history, line, point, 1)
    # A slope inside the good-enough band (1 drifting to 2) is noise, not a worry: the trend
    # is flagged only once the rolling median has itself crossed the family's agreed level.
    # Checking this first also keeps a settled family's analysis cheap.
    if not weeks or weeks[0] != 0 or medians[0] <= line.agreed_on_day(history.days[point]):
        return None
    weeks, medians = _weekly_medians(history, line, point, params.trend_max_weeks)
    if len(weeks) < params.trend_min_points or -weeks[-1] < params.trend_min_weeks - 1:
        return None
    slope = _least_squares_slope(weeks, medians)
    if slope < params.trend_slope_per_week:
        return None
    return _Fit(slope, 1 - weeks[-1], medians[-1], medians[0])


def _weekly_medians(history: History, line: Series, point: int,
                    count: int) -> tuple[list[int], list[float]]:
    """The rolling median at each of `count` weeks back from the visit at as-of `point` that
    has scores (weeks as -n): the scores up to that visit for week 0, up to the end of the
    day 7n days before its day for week n.

    Two pointers slide back over the scores instead of searching for every week: this runs
    at every visit of a trend's spell.
    """
    span = history.params.trend_median_days
    days, scores = line.days, line.scores
    anchor = history.days[point]
    high = bisect_right(line.times, history.times[point])
    low = bisect_right(days, anchor - span)
    weeks, medians = [], []
    for week in range(count):
        end = anchor - week * WEEK_DAYS
        while high > 0 and days[high - 1] > end:
            high -= 1
        while low > 0 and days[low - 1] > end - span:
            low -= 1
        if high == 0:
            break  # no scores this far back
        if high > low:
            weeks.append(-week)
            medians.append(_median(scores[low:high]))
    return weeks, medians


def _median(chunk: list[int]) -> float:
    if len(chunk) == 1:
        return float(chunk[0])
    chunk.sort()
    middle = len(chunk) // 2
    return float(chunk[middle]) if len(chunk) % 2 else (chunk[middle - 1] + chunk[middle]) / 2


def _least_squares_slope(xs: list[int], ys: list[float]) -> float:
    count = len(xs)
    mean_x, mean_y = sum(xs) / count, sum(ys) / count
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def worsening_trends(history: History) -> list[Finding]:
    """Domains whose rolling median rises by `trend_slope_per_week` or more a week.

    MEDIUM: an early warning that the home is sliding; the scores that reach a concern
    raise their own HIGH flags. Key: one per domain.
    """
    found = []
    for line in history.series.values():
        fit = _fit(history, line, history.last)
        if fit is None:
            continue

        def holds(point: int, line: Series = line) -> bool:
            return _fit(history, line, point) is not None

        found.append(_finding(history, line, fit, history.spell_start(holds)))
    return found


def _finding(history: History, line: Series, fit: _Fit, start: int) -> Finding:
    low = history.days[history.last] - ((fit.weeks - 1) * WEEK_DAYS
                                        + history.params.trend_median_days)
    positions = range(bisect_right(line.days, low), len(line.times))
    latest = history.visits[history.last].visited_at
    return Finding(
        kind=FlagKind.WORSENING_TREND, severity=Severity.MEDIUM,
        key=f"worsening_trend:{line.domain}", domains=(line.domain,),
        evidence_visit_ids=score_visit_ids(history, line, positions),
        became_true_at=history.visits[start].visited_at,
        explanation=(
            f"{domain_name(history, line.domain)} has been getting worse over the "
            f"{plural(fit.weeks, 'week')} to {day(history, latest)}: its typical score (the "
            f"middle score of each fortnight) went from {_level(fit.first)} to "
            f"{_level(fit.last)}, about {levels(fit.slope)} worse a week."
        ),
        phrase=(f"getting worse over the {plural(fit.weeks, 'week')} to {day(history, latest)} "
                f"(typical score {_level(fit.first)} to {_level(fit.last)})"),
    )


def _level(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
