"""Rules read from one domain's scores: below the agreed level (1), a borderline note, swings
(2), not sustained (3), and sustained improvement.

"Good enough" is at or better than the family's agreed level for the domain; a score at the
partnership's concern level (4 unless it chose 3 or 5) or worse is a concern, as
`rubric.scale.is_concern` says; anything between is borderline (a 3 when the agreed level
is 2 and the concern level 4).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from homelog.engine.steps.analysis_wording import (
    day,
    domain_name,
    elapsed,
    number,
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
    VisitFact,
)
from homelog.rubric.scale import is_concern

# ---- rule 1: below the agreed level, and the borderline note ---------------------------------


def below_agreed(history: History) -> list[Finding]:
    """The latest score of each domain, when worse than the family's agreed level.

    A lone borderline score after a good-enough one is a LOW `BORDERLINE` note instead: a
    single borderline score is for the core group to discuss, not an alert. A second
    borderline score in a row makes it MEDIUM; a concern makes it HIGH. Borderline and
    concern spells have different keys, so a home that gets worse while a borderline flag
    is acknowledged still raises a new flag.
    """
    found = []
    for line in history.series.values():
        last = len(line.scores) - 1
        if line.good(last):
            continue
        if _isolated_borderline(history, line, last):
            found.append(_borderline(history, line, last))
        else:
            found.append(_below_agreed(history, line, last))
    return found


def _band(history: History, line: Series, position: int) -> str:
    """The band of the score at `position`, against the agreed level in force then."""
    if line.good(position):
        return "good"
    concern = is_concern(line.scores[position], history.params.concern_level)
    return "concern" if concern else "borderline"


def _isolated_borderline(history: History, line: Series, position: int) -> bool:
    """A borderline score whose previous score in the domain was good enough (or absent)."""
    if _band(history, line, position) != "borderline":
        return False
    return position == 0 or line.good(position - 1)


def _borderline(history: History, line: Series, last: int) -> Finding:
    visit = history.visits[line.visit_index[last]]
    return Finding(
        kind=FlagKind.BORDERLINE, severity=Severity.LOW, key=f"borderline:{line.domain}",
        domains=(line.domain,), evidence_visit_ids=(visit.id,),
        became_true_at=visit.visited_at,
        explanation=(
            f"{domain_name(history, line.domain)} was scored {line.scores[last]} by "
            f"{visit.agency_name} on {day(history, visit.visited_at)}, just worse than the "
            f"agreed level of {line.agreed_at[last]}: a single borderline score for the core group "
            "to keep an eye on."
        ),
        phrase=(f"one borderline score, {line.scores[last]} ({visit.agency_name}, "
                f"{day(history, visit.visited_at)})"),
    )


def _below_agreed(history: History, line: Series, last: int) -> Finding:
    band = _band(history, line, last)
    start = last  # first score of the trailing run in this band: when this flag came true
    while start > 0 and _band(history, line, start - 1) == band:
        start -= 1
    if _isolated_borderline(history, line, start):
        start += 1  # that score was a borderline note; the flag came with the next one
    spell = last  # evidence: every score of the current spell worse than agreed
    while spell > 0 and not line.good(spell - 1):
        spell -= 1
    return Finding(
        kind=FlagKind.BELOW_AGREED,
        severity=Severity.HIGH if band == "concern" else Severity.MEDIUM,
        key=f"below_agreed:{line.domain}:{band}", domains=(line.domain,),
        evidence_visit_ids=score_visit_ids(history, line, range(spell, last + 1)),
        became_true_at=history.visits[line.visit_index[start]].visited_at,
        explanation=_below_agreed_sentence(history, line, spell, last),
        phrase=_below_agreed_phrase(history, line, spell, last),
    )


def _below_agreed_sentence(history: History, line: Series, spell: int, last: int) -> str:
    name = domain_name(history, line.domain)
    visit = history.visits[line.visit_index[last]]
    when = day(history, visit.visited_at)
    if spell == last:
        return (f"{name} was scored {line.scores[last]} by {visit.agency_name} on {when}, "
                f"worse than the agreed level of {line.agreed_at[last]}.")
    first = history.visits[line.visit_index[spell]]
    return (
        f"{name} has been worse than the agreed level of {line.agreed_at[last]} at "
        f"{plural(last - spell + 1, 'visit')} in a row since {day(history, first.visited_at)}, "
        f"most recently {line.scores[last]} ({visit.agency_name}, {when})."
    )


def _below_agreed_phrase(history: History, line: Series, spell: int, last: int) -> str:
    visit = history.visits[line.visit_index[last]]
    latest = f"{line.scores[last]} ({visit.agency_name}, {day(history, visit.visited_at)})"
    if spell == last:
        return f"worse than the agreed {line.agreed_at[last]}: {latest}"
    first = history.visits[line.visit_index[spell]]
    return (f"worse than the agreed {line.agreed_at[last]} at "
            f"{plural(last - spell + 1, 'visit')} in a row since "
            f"{day(history, first.visited_at)}, most recently {latest}")


# ---- rule 2: swing ---------------------------------------------------------------------------


def swings(history: History) -> list[Finding]:
    """Domains reaching a concern within `swing_window_days` of a much better score.

    A swing is raised at a concern score (at the concern level or worse) that is worse than
    the score before it, when some score in the window before it was good enough or at least
    `swing_min_levels` better. Its partner is the best score in the window (the latest of
    equals), so one bad visit after several good ones is one swing, not several. A move that
    ends at borderline (1 to 3, at the default concern level) is not a swing: it is a
    borderline note or below-agreed flag (a lone borderline score must never alert). One
    finding per pair of visits, listing every domain that swung between them: a home found
    much worse in five areas at once is one event to respond to, not five.
    """
    window = history.params.swing_window_days
    concern = history.params.concern_level
    moves: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
    for line in history.series.values():
        if not is_concern(line.worst, concern):
            continue  # never a concern: no swing to look for
        scores = line.scores
        for position in range(1, len(scores)):
            worse = scores[position] > scores[position - 1]
            if not (worse and is_concern(scores[position], concern)):
                continue
            partner = _swing_partner(history, line, position, window)
            if partner is not None:
                pair = (line.visit_index[partner], line.visit_index[position])
                moves.setdefault(pair, []).append(
                    (line.domain, scores[partner], scores[position]))
    return [_swing(history, *pair, moved) for pair, moved in moves.items()]


def _swing_partner(history: History, line: Series, position: int, window: int) -> int | None:
    """The best score in the window (at most `window` days) before a concern, if the move
    from it is a swing."""
    score, scores, days = line.scores[position], line.scores, line.days
    best = None
    earlier = position - 1
    while earlier >= 0 and days[position] - days[earlier] <= window:
        if best is None or scores[earlier] < scores[best]:
            best = earlier
        earlier -= 1
    if best is None:
        return None
    moved = score - scores[best] >= history.params.swing_min_levels
    return best if line.good(best) or moved else None


def _swing(history: History, before: int, after: int,
           moved: list[tuple[str, int, int]]) -> Finding:
    first, second = history.visits[before], history.visits[after]
    return Finding(
        kind=FlagKind.SWING, severity=Severity.HIGH, key=f"swing:{first.id}:{second.id}",
        domains=tuple(domain for domain, _, _ in moved),
        evidence_visit_ids=(first.id, second.id), became_true_at=second.visited_at,
        explanation=_swing_sentence(history, first, second, moved),
        phrase=_swing_phrase(history, first, second, moved),
    )


def _swing_phrase(history: History, first: VisitFact, second: VisitFact,
                  moved: list[tuple[str, int, int]]) -> str:
    took = elapsed(history, first.visited_at, second.visited_at)
    when = day(history, second.visited_at)
    if len(moved) == 1:
        _, before, after = moved[0]
        return f"went from {before} to {after} {took} ({second.agency_name}, {when})"
    changes = "; ".join(f"{domain_name(history, domain)} {before} to {after}"
                        for domain, before, after in moved)
    return f"{number(len(moved))} areas went to a concern {took}, by {when} ({changes})"


def _swing_sentence(history: History, first: VisitFact, second: VisitFact,
                    moved: list[tuple[str, int, int]]) -> str:
    one, two = day(history, first.visited_at), day(history, second.visited_at)
    took = elapsed(history, first.visited_at, second.visited_at)
    if len(moved) == 1:
        domain, before, after = moved[0]
        return (f"{domain_name(history, domain)} went from {before} ({first.agency_name}, "
                f"{one}) to {after} ({second.agency_name}, {two}) {took}.")
    changes = "; ".join(f"{domain_name(history, domain)} {before} to {after}"
                        for domain, before, after in moved)
    areas = number(len(moved)).capitalize()
    return (f"{areas} areas went to a concern {took}, between the visits of "
            f"{first.agency_name} on {one} and {second.agency_name} on {two}: {changes}.")


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
