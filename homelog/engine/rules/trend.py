"""Rule 6: a worsening trend, and the rolling median the trend charts draw.

The rolling median at an instant is the median of the domain's scores in the
`trend_median_days` (14) up to it: a single bad or good visit barely moves it. The trend is
the least-squares slope of that median sampled weekly, over up to `trend_max_weeks` (12)
weekly points back from the latest visit; it needs points reaching back at least
`trend_min_weeks` (8) weeks and at least `trend_min_points` (6) of them with scores.
A rising slope is flagged only once the latest rolling median is itself worse than the
family's agreed level: drifting from 1 to 2 inside the good-enough band is ordinary noise
(a stable family with scores of 1 and 2 must raise nothing).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from homelog.engine.analysis_history import DAY, WEEK, History, Series
from homelog.engine.analysis_types import Finding, FlagKind, Severity
from homelog.engine.analysis_wording import day, domain_name, levels, plural
from homelog.engine.rules.evidence import score_visit_ids


def median_up_to(history: History, line: Series, end: float) -> float | None:
    """The median of the domain's scores in the `trend_median_days` up to `end` (inclusive)."""
    span = history.params.trend_median_days * DAY
    low, high = bisect_right(line.times, end - span), bisect_right(line.times, end)
    return _median(line.scores[low:high]) if high > low else None


def rolling_medians(history: History) -> dict[str, list[tuple[dt.datetime, float]]]:
    """Each domain's rolling median at each of its scores, for the trends endpoint."""
    series = {}
    for domain, line in history.series.items():
        medians = []
        for index, instant in zip(line.visit_index, line.times, strict=True):
            median = median_up_to(history, line, instant)
            assert median is not None  # the score itself is in the window
            medians.append((history.visits[index].visited_at, median))
        series[domain] = medians
    return series


@dataclass(slots=True)
class _Fit:
    slope: float        # levels per week, positive = worse
    weeks: int          # weekly points from the oldest to the latest, inclusive
    first: float        # the oldest and the latest weekly median
    last: float


def _fit(history: History, line: Series, point: int) -> _Fit | None:
    """The trend as of the visit at as-of `point`, when it is a worsening one."""
    params = history.params
    anchor = history.times[point]
    if line.times[0] > anchor - (params.trend_min_weeks - 1) * WEEK:
        return None  # not enough history in this domain yet
    latest = median_up_to(history, line, anchor)
    # A slope inside the good-enough band (1 drifting to 2) is noise, not a worry: the trend
    # is flagged only once the rolling median has itself crossed the family's agreed level.
    # Checking this first also keeps a settled family's analysis cheap.
    if latest is None or latest <= line.agreed:
        return None
    weeks, medians = _weekly_medians(history, line, anchor)
    if len(weeks) < params.trend_min_points or -weeks[-1] < params.trend_min_weeks - 1:
        return None
    slope = _least_squares_slope(weeks, medians)
    if slope < params.trend_slope_per_week:
        return None
    return _Fit(slope, 1 - weeks[-1], medians[-1], medians[0])


def _weekly_medians(history: History, line: Series,
                    anchor: float) -> tuple[list[int], list[float]]:
    """The rolling median at each week back from `anchor` that has scores (weeks as -n).

    Two pointers slide back over the scores instead of searching for every week: this runs
    at every visit of a trend's spell.
    """
    span = history.params.trend_median_days * DAY
    stamps, scores = line.times, line.scores
    high = bisect_right(stamps, anchor)
    low = bisect_right(stamps, anchor - span)
    weeks, medians = [], []
    for week in range(history.params.trend_max_weeks):
        end = anchor - week * WEEK
        while high > 0 and stamps[high - 1] > end:
            high -= 1
        while low > 0 and stamps[low - 1] > end - span:
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
    anchor = history.times[history.last]
    low = anchor - ((fit.weeks - 1) * WEEK + history.params.trend_median_days * DAY)
    positions = range(bisect_right(line.times, low), len(line.times))
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
    )


def _level(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
