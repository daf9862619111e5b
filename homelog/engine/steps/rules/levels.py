"""Rules read from one domain's scores: below the agreed level (1), a borderline note, and
swings (2). Not sustained (3) and sustained improvement are in sustained.py.

"Good enough" is at or better than the family's agreed level for the domain; a score at the
partnership's concern level (4 unless it chose 3 or 5) or worse is a concern, as
`rubric.scale.is_concern` says; anything between is borderline (a 3 when the agreed level
is 2 and the concern level 4).
"""

from __future__ import annotations

from homelog.engine.steps.analysis_wording import (
    day,
    domain_name,
    elapsed,
    number,
    plural,
)
from homelog.engine.steps.history import History, Series
from homelog.engine.steps.rules.evidence import score_visit_ids
from homelog.engine.steps.types import (
    Finding,
    FlagKind,
    Severity,
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
