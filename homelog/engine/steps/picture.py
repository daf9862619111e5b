"""The family picture: two to four sentences from the concerns, for the top of the family
screen (and, later, the summary and the digest).

In order, as far as they apply: where the family stands against the agreement (which areas
are worse, and how badly); where things are going (getting worse, improvements not lasting or
lasting); announced against unannounced visits; and who has not visited or been seen.
Immediate concerns are not repeated here: each is a concern of its own, shown first, right
below. Words a practitioner uses; every number says what it counts. Pure: concerns in,
sentences out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from homelog.engine.steps.analysis_wording import listing, number
from homelog.engine.steps.concerns import Concern
from homelog.engine.steps.concerns_wording import domain_name, phrase_of
from homelog.engine.steps.types import FlagKind, Severity
from homelog.rubric.scale import concern_scores_in_words

MAX_SENTENCES = 4


def family_picture(concerns: Sequence[Concern], domain_names: Mapping[str, str], *,
                   has_visits: bool, concern_level: int) -> list[str]:
    """Two to four sentences saying where the family stands, from its concerns (the
    partnership's `concern_level` says which scores "a concern" means)."""
    names = _Names(concerns, domain_names)
    sentences = [sentence for sentence in (
        _standing(names, has_visits, concern_level), _direction(names),
        _announced_gap(concerns), _visiting(concerns),
    ) if sentence]
    if not has_visits:
        sentences.insert(0, "No visit has been recorded yet.")
    if len(sentences) < 2:
        # Nothing about visiting was found: say so, rather than leave the reader guessing.
        sentences.append("Visits are up to date." if has_visits else "Nothing has been flagged.")
    return sentences[:MAX_SENTENCES]


class _Names:
    """The names of the domains with a kind of finding, worst first (as the concerns are)."""

    def __init__(self, concerns: Sequence[Concern], domain_names: Mapping[str, str]) -> None:
        self.findings = [finding for concern in concerns if concern.domains
                         for finding in concern.findings if len(finding.domains) == 1]
        self.domain_names = domain_names
        self.order: dict[str, int] = {}
        for concern in concerns:
            for domain in concern.domains:
                self.order.setdefault(domain, len(self.order))

    def __call__(self, kind: FlagKind, severity: Severity | None = None) -> list[str]:
        domains = {finding.domains[0] for finding in self.findings if finding.kind == kind
                   and (severity is None or finding.severity == severity)}
        ordered = sorted(domains, key=lambda domain: (self.order.get(domain, len(self.order)),
                                                      domain))
        return [domain_name(domain, self.domain_names) for domain in ordered]


def _standing(names: _Names, has_visits: bool, concern_level: int) -> str:
    at_concern = names(FlagKind.BELOW_AGREED, Severity.HIGH)
    borderline = [title for title in names(FlagKind.BELOW_AGREED) + names(FlagKind.BORDERLINE)
                  if title not in at_concern]
    if not at_concern and not borderline:
        return "Every area seen is at or better than the agreed level." if has_visits else ""
    count = len(at_concern) + len(borderline)
    parts = []
    if at_concern:
        scores = concern_scores_in_words(concern_level)
        parts.append(f"a concern ({scores}) in {_some(at_concern, worst=True)}")
    if borderline:
        parts.append(f"borderline in {_some(borderline)}")
    areas = "one area" if count == 1 else f"{number(count)} areas"
    return f"Worse than agreed in {areas}: {'; '.join(parts)}."


def _some(names: list[str], *, worst: bool = False) -> str:
    """The names when there are one or two; else how many (naming the worst two, if asked):
    the cards below name every area, so the picture stays short."""
    if len(names) <= 2:
        return listing(names)
    if worst:
        return f"{number(len(names))}, most of all {listing(names[:2])}"
    return f"{number(len(names))}"


def _direction(names: _Names) -> str:
    parts = []
    if worse := names(FlagKind.WORSENING_TREND):
        parts.append(f"getting worse in {_areas(worse)}")
    if unsteady := names(FlagKind.NOT_SUSTAINED):
        parts.append(f"improvements not lasting in {_areas(unsteady)}")
    if sudden := names(FlagKind.SWING):
        parts.append(f"sudden changes for the worse in {_areas(sudden)}")
    if lasted := names(FlagKind.SUSTAINED_IMPROVEMENT):
        parts.append(f"the improvement has lasted in {_areas(lasted)}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}."


def _areas(names: list[str]) -> str:
    return listing(names) if len(names) <= 2 else f"{number(len(names))} areas"


def _announced_gap(concerns: Sequence[Concern]) -> str:
    gap = next((concern for concern in concerns if concern.key == "announced_gap"), None)
    if gap is None:
        return ""
    text = phrase_of(gap.findings[0])
    return f"{text[0].upper()}{text[1:]}: the home may be got ready for expected visits."


def _visiting(concerns: Sequence[Concern]) -> str:
    phrases = [phrase_of(finding) for concern in concerns if concern.key == "visiting"
               for finding in concern.findings if finding.kind != FlagKind.ROOM_NEVER_SEEN]
    rooms = [phrase_of(finding).removesuffix(" never seen") for concern in concerns
             if concern.key == "visiting" for finding in concern.findings
             if finding.kind == FlagKind.ROOM_NEVER_SEEN]
    if rooms:
        phrases.append(f"{listing(rooms)} never seen")
    if not phrases:
        return ""
    text = "; ".join(phrases)
    return f"{text[0].upper()}{text[1:]}."
