"""Rules about improvements read from one domain's scores: improvements that do not last (3:
the agreed line crossed again and again) and improvements that have lasted.

"Good enough", borderline and a concern as in levels.py.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from homelog.engine.steps.analysis_wording import (
    day,
    domain_name,
    plural,
    times,
)
from homelog.engine.steps.history import History, Series
from homelog.engine.steps.rules.evidence import score_visit_ids
from homelog.engine.steps.types import (
    Finding,
    FlagKind,
    Severity,
    SustainedImprovement,
)
from homelog.rubric.scale import is_concern

# ---- rule 3: not sustained -------------------------------------------------------------------


def crossings(line: Series) -> list[int]:
    """Positions of the scores that crossed the good-enough line (from the score before)."""
    return [position for position in range(1, len(line.scores))
            if line.good(position) != line.good(position - 1)]


def crossings_count(history: History, line: Series) -> int:
    """Crossings in the `crossings_window_days` up to the latest visit (for the metrics)."""
    if line.settled:
        return 0
    return _recent_crossings_at_most(history, line, len(line.scores))


def _recent_crossings_at_most(history: History, line: Series, least: int) -> int:
    """Crossings in the window up to the latest visit, counted up to `least` only (the
    common case is settled without listing a long history's crossings)."""
    window_start = history.days[history.last] - history.params.crossings_window_days
    first = max(1, bisect_left(line.days, window_start))
    count = 0
    for position in range(first, len(line.scores)):
        if line.good(position) != line.good(position - 1):
            count += 1
            if count == least:
                break
    return count


def _in_window(history: History, stamps: list[float], days: list[int], point: int) -> int:
    """Crossings up to the visit at as-of `point` and at most the window's days before it."""
    window_start = history.days[point] - history.params.crossings_window_days
    return bisect_right(stamps, history.times[point]) - bisect_left(days, window_start)


def not_sustained(history: History) -> list[Finding]:
    """Domains that crossed the good-enough line `crossings_min` times in the window.

    The window is measured back from the latest visit, so the finding changes only when a
    visit is recorded. MEDIUM while every score in those crossings was at most borderline,
    HIGH once one of them was a concern. Key: one per domain.
    """
    found = (_not_sustained_in(history, line) for line in history.series.values())
    return [finding for finding in found if finding is not None]


def _not_sustained_in(history: History, line: Series) -> Finding | None:
    least = history.params.crossings_min
    if line.settled:
        return None  # never worse than agreed: no crossings
    if _recent_crossings_at_most(history, line, least) < least:
        return None
    crossed = crossings(line)
    if len(crossed) < least:
        return None
    stamps = [line.times[position] for position in crossed]
    days = [line.days[position] for position in crossed]
    count = _in_window(history, stamps, days, history.last)
    if count < least:
        return None
    recent = crossed[len(crossed) - count:]
    return _not_sustained(history, line, recent, _crossings_spell_start(history, stamps, days))


def _crossings_spell_start(history: History, stamps: list[float], days: list[int]) -> int:
    """`History.spell_start` for "at least crossings_min crossings in the window", with two
    pointers sliding back over the crossings instead of a search at every visit."""
    times, least = history.times, history.params.crossings_min
    window = history.params.crossings_window_days
    start = history.last
    high = len(stamps)  # crossings at or before the point: all of them at the latest visit
    low = bisect_left(days, history.days[start] - window)
    for point in range(start - 1, -1, -1):
        if times[point] == times[point + 1]:
            continue  # not an as-of point: the visit after it is at the same instant
        while high > 0 and stamps[high - 1] > times[point]:
            high -= 1
        while low > 0 and days[low - 1] >= history.days[point] - window:
            low -= 1
        if high - low < least:
            break
        start = point
    return start


def _not_sustained(history: History, line: Series, recent: list[int], start: int) -> Finding:
    positions = sorted({p for position in recent for p in (position - 1, position)})
    worst = max(line.scores[position] for position in positions)
    latest = history.visits[history.last].visited_at
    return Finding(
        kind=FlagKind.NOT_SUSTAINED,
        severity=(Severity.HIGH if is_concern(worst, history.params.concern_level)
                  else Severity.MEDIUM),
        key=f"not_sustained:{line.domain}", domains=(line.domain,),
        evidence_visit_ids=score_visit_ids(history, line, positions),
        became_true_at=history.visits[start].visited_at,
        explanation=(
            f"{domain_name(history, line.domain)} crossed the good-enough line "
            f"({line.agreed}) {times(len(recent))} in the "
            f"{history.params.crossings_window_days} days to {day(history, latest)}: "
            "improvements have not lasted."
        ),
        phrase=(f"improvements have not lasted ({plural(len(recent), 'crossing')} of the line "
                f"in the {history.params.crossings_window_days} days to {day(history, latest)})"),
    )


# ---- sustained improvement -------------------------------------------------------------------


def sustained_runs(history: History) -> dict[str, SustainedImprovement | None]:
    """Domains once worse than agreed: their current good-enough run if it counts, else None.

    Sustained means at least `sustained_min_visits` good-enough scores in a row, spanning
    `sustained_min_days`, at least one of them at an unannounced visit (product.md).
    """
    runs: dict[str, SustainedImprovement | None] = {}
    for line in history.series.values():
        if line.settled:
            continue  # never worse than agreed: nothing to improve on
        start = _good_run_start(line)
        if start is None:
            runs[line.domain] = None  # worse than agreed now
            continue
        counted = _counts_from(history, line, start)
        runs[line.domain] = None if counted is None else _run(history, line, start)
    return runs


def sustained_improvements(history: History) -> list[Finding]:
    """A LOW note when a domain that raised a flag has been good enough long enough to count.

    Users need it: reviews found improvements "taken at face value"; this says when one has
    actually lasted, with its visits, so the core group can close the earlier flags on
    evidence. Raised only after a spell that was flagged (a concern, or two or more scores
    worse than agreed), not after a lone borderline note. Key: one per domain; a relapse ends
    it and a later run is a new occurrence.
    """
    found = []
    for line in history.series.values():
        if line.settled:
            continue
        start = _good_run_start(line)
        if not start or not _was_flagged(history, line, start):
            continue
        counted = _counts_from(history, line, start)
        if counted is not None:
            found.append(_improvement(history, line, start, counted))
    return found


def _good_run_start(line: Series) -> int | None:
    """Position of the first score of the trailing good-enough run (None if the last is not)."""
    position = len(line.scores) - 1
    if not line.good(position):
        return None
    while position > 0 and line.good(position - 1):
        position -= 1
    return position


def _counts_from(history: History, line: Series, start: int) -> int | None:
    """The first position at which the run from `start` counts as sustained (None: not yet)."""
    params = history.params
    unannounced = False
    for position in range(start, len(line.scores)):
        unannounced = unannounced or not line.announced[position]
        if (position - start + 1 >= params.sustained_min_visits and unannounced
                and line.days[position] - line.days[start] >= params.sustained_min_days):
            return position
    return None


def _was_flagged(history: History, line: Series, start: int) -> bool:
    """Whether the bad spell before the run raised more than a borderline note."""
    spell = start - 1
    while spell > 0 and not line.good(spell - 1):
        spell -= 1
    bad = line.scores[spell:start]
    return len(bad) > 1 or is_concern(bad[0], history.params.concern_level)


def _run(history: History, line: Series, start: int) -> SustainedImprovement:
    last = len(line.scores) - 1
    positions = range(start, last + 1)
    first = history.visits[line.visit_index[start]]
    return SustainedImprovement(
        domain=line.domain, since=first.visited_at, visits=len(positions),
        days=line.days[last] - line.days[start],
        unannounced=sum(not line.announced[position] for position in positions),
        evidence_visit_ids=score_visit_ids(history, line, positions),
    )


def _improvement(history: History, line: Series, start: int, counted: int) -> Finding:
    run = _run(history, line, start)
    before = history.visits[line.visit_index[start - 1]]
    return Finding(
        kind=FlagKind.SUSTAINED_IMPROVEMENT, severity=Severity.LOW,
        key=f"sustained_improvement:{line.domain}", domains=(line.domain,),
        evidence_visit_ids=(before.id, *run.evidence_visit_ids),
        became_true_at=history.visits[line.visit_index[counted]].visited_at,
        explanation=(
            f"{domain_name(history, line.domain)} has been good enough at "
            f"{plural(run.visits, 'visit')} in a row over {plural(run.days, 'day')} since "
            f"{day(history, run.since)}, including {run.unannounced} unannounced, after "
            f"{line.scores[start - 1]} on {day(history, before.visited_at)}: the improvement "
            "has lasted."
        ),
        phrase=(f"good enough at {plural(run.visits, 'visit')} in a row since "
                f"{day(history, run.since)}: the improvement has lasted"),
    )
