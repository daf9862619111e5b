"""Rules that compare visits with each other: agencies disagree (4), announced vs unannounced
gap (5)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, compress
from operator import mul

from homelog.engine.steps.analysis_wording import day, domain_name, levels, listing, plural
from homelog.engine.steps.history import HOUR, History, Series
from homelog.engine.steps.rules.evidence import visit_ids_between
from homelog.engine.steps.types import Finding, FlagKind, Severity, VisitFact
from homelog.rubric.scale import is_concern

# ---- rule 4: agencies disagree ---------------------------------------------------------------


def disagreements(history: History) -> list[Finding]:
    """Two agencies `disagreement_min_levels` apart on a domain within the window.

    One finding per pair of visits, listing every domain they disagree on: the prompt is for
    the two practitioners to compare what they saw, with the lead. MEDIUM when one of the
    scores is a concern ("clean and tidy" against "filthy"); LOW when the worse is only
    borderline (1 against 3), so that a lone borderline score never raises more than a low
    note. A score that is itself a concern has its own HIGH flag.
    """
    window = history.params.disagreement_window_hours * HOUR
    order = {domain: rank for rank, domain in enumerate(history.series)}
    found = []
    for later, second in enumerate(history.visits):
        earlier = later - 1
        # Only the visits inside the window are paired, so the cost stays linear.
        while earlier >= 0 and history.times[later] - history.times[earlier] <= window:
            first = history.visits[earlier]
            if first.agency_id != second.agency_id:
                apart = _apart(history, first, second, order)
                if apart:
                    found.append(_disagreement(history, first, second, apart))
            earlier -= 1
    return found


def _apart(history: History, first: VisitFact, second: VisitFact,
           order: dict[str, int]) -> list[tuple[str, int, int]]:
    least = history.params.disagreement_min_levels
    apart = []
    for domain, score in second.scores.items():
        other = first.scores.get(domain)
        if score is not None and other is not None and abs(score - other) >= least:
            apart.append((domain, other, score))
    apart.sort(key=lambda item: order.get(item[0], len(order)))
    return apart


def _disagreement(history: History, first: VisitFact, second: VisitFact,
                  apart: list[tuple[str, int, int]]) -> Finding:
    worst = max(max(before, after) for _, before, after in apart)
    return Finding(
        kind=FlagKind.AGENCIES_DISAGREE,
        severity=(Severity.MEDIUM if is_concern(worst, history.params.concern_level)
                  else Severity.LOW),
        key=f"agencies_disagree:{first.id}:{second.id}",
        domains=tuple(domain for domain, _, _ in apart),
        evidence_visit_ids=(first.id, second.id), became_true_at=second.visited_at,
        explanation=_disagreement_sentence(history, first, second, apart),
        agency_ids=(first.agency_id, second.agency_id),
        phrase=_disagreement_phrase(history, first, second, apart),
    )


def _disagreement_phrase(history: History, first: VisitFact, second: VisitFact,
                         apart: list[tuple[str, int, int]]) -> str:
    one, two = day(history, first.visited_at), day(history, second.visited_at)
    if len(apart) == 1:
        _, before, after = apart[0]
        return (f"agencies disagree: {first.agency_name} scored {before} on {one}, "
                f"{second.agency_name} {after} on {two}")
    return (f"{first.agency_name} ({one}) and {second.agency_name} ({two}) scored "
            f"{len(apart)} areas at least {history.params.disagreement_min_levels} levels apart")


def _disagreement_sentence(history: History, first: VisitFact, second: VisitFact,
                           apart: list[tuple[str, int, int]]) -> str:
    what = "score" if len(apart) == 1 else "scores"
    ask = f"please compare what you each saw and agree the {what} with the lead social worker."
    one, two = day(history, first.visited_at), day(history, second.visited_at)
    if len(apart) == 1:
        domain, before, after = apart[0]
        return (f"{first.agency_name} scored {domain_name(history, domain)} {before} on {one} "
                f"and {second.agency_name} scored it {after} on {two}: {ask}")
    scores = "; ".join(f"{domain_name(history, domain)} {before} and {after}"
                       for domain, before, after in apart)
    return (f"{first.agency_name} ({one}) and {second.agency_name} ({two}) scored "
            f"{len(apart)} areas at least {history.params.disagreement_min_levels} levels "
            f"apart ({scores}): {ask}")


# ---- rule 5: announced vs unannounced gap ----------------------------------------------------


@dataclass(slots=True)
class _RunningSums:
    """Running totals of one domain's scores: element i covers the first i scores."""

    total: list[int]
    announced: list[int]          # how many were at announced visits
    announced_total: list[int]    # their sum

    @classmethod
    def of(cls, line: Series) -> _RunningSums:
        return cls(
            total=[0, *accumulate(line.scores)],
            announced=[0, *accumulate(line.announced)],
            announced_total=[0, *accumulate(map(mul, line.scores, line.announced))],
        )


@dataclass(slots=True)
class GapReading:
    """The announced/unannounced comparison as of one visit."""

    gap: float                      # mean over the domains of (unannounced - announced) means
    by_domain: dict[str, float]     # the domains that had enough scores of each kind
    announced: int                  # visits of each kind in the window
    unannounced: int


class AnnouncedGap:
    """Rule 5: mean unannounced score worse than mean announced by `announced_gap_min_levels`.

    Averaged per domain first (unannounced mean minus announced mean), then across domains:
    agencies see different rooms (a police officer at night sees the living room), so pooling
    all scores would compare different rooms rather than the same home at different kinds of
    visit. Needs `announced_gap_min_visits` visits of each kind in the window, and a domain
    counts only with `announced_gap_min_scores` scores of each kind. The window is measured
    back from the latest visit. HIGH: possible disguised compliance is what the log is for.
    """

    def __init__(self, history: History) -> None:
        self.history = history
        self.window = history.params.announced_gap_window_days  # in calendar days
        self.visit_times: dict[bool, list[float]] = {True: [], False: []}
        self.visit_days: dict[bool, list[int]] = {True: [], False: []}
        for index, visit in enumerate(history.visits):
            self.visit_times[visit.announced].append(history.times[index])
            self.visit_days[visit.announced].append(history.days[index])
        self.sums: dict[str, _RunningSums] | None = None  # built only to walk a spell back

    def reading(self, point: int) -> GapReading | None:
        """The gap as of the visit at as-of `point`, or None without enough visits."""
        # The window: up to the visit at `point`, from the day `window` days before its day.
        high = self.history.times[point]
        low = self.history.days[point] - self.window
        least = self.history.params.announced_gap_min_visits
        counts = {kind: bisect_right(stamps, high) - bisect_left(self.visit_days[kind], low)
                  for kind, stamps in self.visit_times.items()}
        if counts[True] < least or counts[False] < least:
            return None
        by_domain = {}
        for domain, line in self.history.series.items():
            difference = self._difference(domain, line, low, high)
            if difference is not None:
                by_domain[domain] = difference
        if not by_domain:
            return None
        gap = sum(by_domain.values()) / len(by_domain)
        return GapReading(gap, by_domain, counts[True], counts[False])

    def _difference(self, domain: str, line: Series, low: int, high: float) -> float | None:
        """Unannounced mean minus announced mean of one domain's scores in the window."""
        least = self.history.params.announced_gap_min_scores
        start, end = bisect_left(line.days, low), bisect_right(line.times, high)
        if end - start < 2 * least:
            return None
        if self.sums is None:  # one reading: summing the window's slices is cheapest
            flags, scores = line.announced[start:end], line.scores[start:end]
            announced, total = sum(flags), sum(scores)
            announced_sum = sum(compress(scores, flags))
        else:  # many readings (a spell walked back): running sums answer each in O(1)
            sums = self.sums[domain]
            announced = sums.announced[end] - sums.announced[start]
            total = sums.total[end] - sums.total[start]
            announced_sum = sums.announced_total[end] - sums.announced_total[start]
        unannounced = end - start - announced
        if announced < least or unannounced < least:
            return None
        return (total - announced_sum) / unannounced - announced_sum / announced

    def findings(self) -> list[Finding]:
        history = self.history
        if history.last < 0:
            return []
        least = history.params.announced_gap_min_levels

        def holds(point: int) -> bool:
            reading = self.reading(point)
            return reading is not None and reading.gap >= least

        if not holds(history.last):
            return []
        self.sums = {domain: _RunningSums.of(line) for domain, line in history.series.items()}
        start = history.spell_start(holds)
        reading = self.reading(history.last)
        assert reading is not None  # holds() said so
        return [self._finding(reading, start)]

    def _finding(self, reading: GapReading, start: int) -> Finding:
        history = self.history
        worst = sorted((domain for domain, difference in reading.by_domain.items()
                        if difference >= history.params.announced_gap_min_levels),
                       key=lambda domain: -reading.by_domain[domain])
        first = bisect_left(history.days, history.days[history.last] - self.window)
        return Finding(
            kind=FlagKind.ANNOUNCED_GAP, severity=Severity.HIGH, key="announced_gap",
            domains=tuple(worst),
            evidence_visit_ids=visit_ids_between(history, first, history.last),
            became_true_at=history.visits[start].visited_at,
            explanation=self._sentence(reading, worst),
            phrase=(f"unannounced visits scored on average {levels(reading.gap)} worse than "
                    f"announced ones over the {history.params.announced_gap_window_days} days "
                    f"to {day(history, history.visits[history.last].visited_at)}"),
        )

    def _sentence(self, reading: GapReading, worst: list[str]) -> str:
        history = self.history
        latest = history.visits[history.last].visited_at
        names = listing([domain_name(history, domain) for domain in worst[:3]])
        return (
            f"Over the {history.params.announced_gap_window_days} days to "
            f"{day(history, latest)}, unannounced visits scored on average "
            f"{levels(reading.gap)} worse than announced ones "
            f"({plural(reading.unannounced, 'unannounced visit')}, "
            f"{plural(reading.announced, 'announced visit')}), most of all in {names}: "
            "the home may be got ready for expected visits (possible disguised compliance)."
        )


def announced_gap(history: History) -> list[Finding]:
    """Rule 5 as a finding (see `AnnouncedGap`). Key: one per family."""
    return AnnouncedGap(history).findings()
