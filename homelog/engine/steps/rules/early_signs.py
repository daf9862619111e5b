"""Early signs, said as such: patterns the full rules wait weeks to be sure of.

* The first one or two unannounced visits scoring far worse than the announced ones. The
  announced gap (rule 5) needs `announced_gap_min_visits` unannounced visits before it
  compares; for the case it is meant for (disguised compliance) that is weeks too late. This
  says it at once, as a LOW finding whose sentence says how few visits it rests on, and it
  gives way to rule 5 once enough unannounced visits exist.
* An agency's first visit scoring a domain far from every score the other agencies gave it
  in the weeks before: a new pair of eyes contradicting everyone else is worth comparing
  before it is explained away. LOW, an event of that visit.

Both need `early_sign_min_visits` visits to compare with and a difference of at least
`early_sign_min_levels`.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from homelog.engine.steps.analysis_wording import day, domain_name, levels, listing, plural
from homelog.engine.steps.history import History
from homelog.engine.steps.rules.evidence import visit_ids
from homelog.engine.steps.types import Finding, FlagKind, Severity, VisitFact

_FEW = {1: "the only unannounced visit", 2: "both unannounced visits"}


# ---- the first unannounced visits ------------------------------------------------------------


@dataclass(slots=True)
class _EarlyGap:
    gap: float                  # mean over domains of (unannounced - announced) means
    by_domain: dict[str, float]
    unannounced: list[int]      # visit indices
    announced: list[int]


def _early_gap(history: History, point: int) -> _EarlyGap | None:
    """The comparison as of the visit at as-of `point`, when it is an early sign."""
    params = history.params
    first = bisect_left(history.days, history.days[point] - params.announced_gap_window_days)
    window = range(first, point + 1)
    unannounced = [index for index in window if not history.visits[index].announced]
    announced = [index for index in window if history.visits[index].announced]
    if not (0 < len(unannounced) < params.announced_gap_min_visits
            and len(announced) >= params.early_sign_min_visits):
        return None
    by_domain = {}
    for domain in history.series:
        worse = _mean(history.visits, unannounced, domain)
        usual = _mean(history.visits, announced, domain)
        if worse is not None and usual is not None:
            by_domain[domain] = worse - usual
    if not by_domain:
        return None
    gap = sum(by_domain.values()) / len(by_domain)
    if gap < params.early_sign_min_levels:
        return None
    return _EarlyGap(gap, by_domain, unannounced, announced)


def _mean(visits: list[VisitFact], indices: list[int], domain: str) -> float | None:
    scores = [score for index in indices
              if (score := visits[index].scores.get(domain)) is not None]
    return sum(scores) / len(scores) if scores else None


def early_announced_gap(history: History) -> list[Finding]:
    """The first unannounced visits far worse than the announced ones. Key: one per family."""
    if history.last < 0:
        return []
    reading = _early_gap(history, history.last)
    if reading is None:
        return []
    start = history.spell_start(lambda point: _early_gap(history, point) is not None)
    few = _FEW[len(reading.unannounced)]
    dates = listing([day(history, history.visits[index].visited_at)
                     for index in reading.unannounced])
    worst = sorted((domain for domain, difference in reading.by_domain.items()
                    if difference >= history.params.early_sign_min_levels),
                   key=lambda domain: -reading.by_domain[domain])[:3]
    compared = plural(len(reading.announced), "announced one")
    return [Finding(
        kind=FlagKind.EARLY_ANNOUNCED_GAP, severity=Severity.LOW, key="early_announced_gap",
        domains=tuple(worst),
        evidence_visit_ids=visit_ids(history, reading.unannounced + reading.announced),
        became_true_at=history.visits[start].visited_at,
        explanation=(
            f"An early sign: {few} so far, on {dates}, scored on average "
            f"{levels(reading.gap)} worse than the {compared}"
            f"{_most_of_all(history, worst)}. It rests on "
            f"{plural(len(reading.unannounced), 'visit')}, but it is how disguised compliance "
            "first shows: plan another unannounced visit soon."
        ),
        phrase=(f"early sign: {few} so far ({dates}) scored on average "
                f"{levels(reading.gap)} worse than the {compared}"),
    )]


def _most_of_all(history: History, worst: list[str]) -> str:
    if not worst:
        return ""
    return f", most of all in {listing([domain_name(history, domain) for domain in worst])}"


# ---- an agency's first visit against everyone else's -----------------------------------------


def first_visits_contradicting(history: History) -> list[Finding]:
    """Each agency's first visit that scores a domain at least `early_sign_min_levels` away
    from every score the other agencies gave it in the `early_sign_window_days` before.
    Key: one per such visit."""
    seen: set[int] = set()
    found = []
    for index, visit in enumerate(history.visits):
        if visit.agency_id in seen:
            continue
        seen.add(visit.agency_id)
        apart = _contradicted(history, index)
        if apart:
            found.append(_contradiction(history, index, apart))
    return found


def _contradicted(history: History, index: int) -> list[tuple[str, int, list[int], list[int]]]:
    """(domain, this score, the others' scores, their visits) where the others all differ
    from this visit's score by `early_sign_min_levels` or more, on the same side."""
    params = history.params
    visit = history.visits[index]
    first = bisect_left(history.days, history.days[index] - params.early_sign_window_days)
    others = [earlier for earlier in range(first, index)
              if history.visits[earlier].agency_id != visit.agency_id]
    if len(others) < params.early_sign_min_visits:
        return []
    apart = []
    for domain in history.series:
        score = visit.scores.get(domain)
        if score is None:
            continue
        theirs = [(other, s) for other in others
                  if (s := history.visits[other].scores.get(domain)) is not None]
        if len(theirs) < params.early_sign_min_visits:
            continue
        gaps = [score - s for _, s in theirs]
        if (min(gaps) >= params.early_sign_min_levels
                or max(gaps) <= -params.early_sign_min_levels):
            apart.append((domain, score, [s for _, s in theirs], [o for o, _ in theirs]))
    return apart


def _contradiction(history: History, index: int,
                   apart: list[tuple[str, int, list[int], list[int]]]) -> Finding:
    visit = history.visits[index]
    when = day(history, visit.visited_at)
    window = history.params.early_sign_window_days
    cited = sorted({other for *_, visits in apart for other in visits} | {index})
    said = "; ".join(
        f"{domain_name(history, domain)} {score} where they scored {_range(theirs)}"
        for domain, score, theirs, _ in apart)
    others = plural(len({o for *_, visits in apart for o in visits}), "visit")
    return Finding(
        kind=FlagKind.FIRST_VISIT_CONTRADICTS, severity=Severity.LOW,
        key=f"first_visit_contradicts:{visit.id}",
        domains=tuple(domain for domain, *_ in apart),
        evidence_visit_ids=visit_ids(history, cited), became_true_at=visit.visited_at,
        explanation=(
            f"{visit.agency_name}'s first visit, on {when}, differs from every score the "
            f"other agencies gave in the {window} days before ({others}): {said}. It is one "
            "visit: compare what each of you saw before it is explained away."
        ),
        phrase=f"{visit.agency_name}'s first visit ({when}) differs from the others': {said}",
        agency_ids=(visit.agency_id,),
    )


def _range(scores: list[int]) -> str:
    low, high = min(scores), max(scores)
    return str(low) if low == high else f"{low} to {high}"
