"""The words of a concern: its title and its one sentence, short enough for a phone card.

The sentence carries the strongest evidence in full, then names what else is behind the
concern in a few words: "Kitchen and food hygiene: worse than the agreed 2 at 15 visits in a
row since 31 Oct, most recently 5 (Demo police, 3 Dec); also getting worse and improvements
not lasting." Domains in the same state are one concern: "Eight areas", said as "Worse than
agreed and getting worse in Kitchen and food hygiene, ... Most of all Smell and air: ...".
Every finding, with its own whole sentence, stays one tap away in the concern's list.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from homelog.engine.steps.analysis_wording import listing, number
from homelog.engine.steps.types import Finding, FlagKind

_TITLES = {
    "visiting": "Visiting and who has been seen",
    "announced_gap": "Announced and unannounced visits",
    "agencies_disagree": "Agencies disagree",
    "sudden_changes": "Sudden changes in several areas",
}
# Kinds whose findings each say something different and short (who has not visited, which
# room): a concern made only of them says them all.
_EACH_SAID = frozenset({FlagKind.AGENCY_NOT_VISITED, FlagKind.ROOM_NEVER_SEEN,
                        FlagKind.NO_RECENT_VISIT, FlagKind.NO_RECENT_UNANNOUNCED,
                        FlagKind.FATHER_NEVER_SEEN})
# What else a concern holds, in a few words each (the strongest finding is said in full).
_ALSO = {
    FlagKind.BELOW_AGREED: ("worse than agreed", "worse than agreed"),
    FlagKind.WORSENING_TREND: ("getting worse", "getting worse"),
    FlagKind.NOT_SUSTAINED: ("improvements not lasting", "improvements not lasting"),
    FlagKind.SWING: ("a sudden change", "{n} sudden changes"),
    FlagKind.AGENCIES_DISAGREE: ("agencies disagreeing", "{n} disagreements between agencies"),
    FlagKind.FIRST_VISIT_CONTRADICTS: ("a first visit that differs",
                                       "{n} first visits that differ"),
    FlagKind.BORDERLINE: ("a borderline score", "{n} borderline scores"),
    FlagKind.SUSTAINED_IMPROVEMENT: ("an improvement that has lasted",
                                     "an improvement that has lasted"),
    FlagKind.ANNOUNCED_GAP: ("unannounced visits worse", "unannounced visits worse"),
    FlagKind.EARLY_ANNOUNCED_GAP: ("an early sign of it", "early signs of it"),
}
# How the state of several domains at once is said, in this order.
_STATES = (
    (FlagKind.BELOW_AGREED, "worse than agreed"),
    (FlagKind.WORSENING_TREND, "getting worse"),
    (FlagKind.NOT_SUSTAINED, "improvements not lasting"),
    (FlagKind.BORDERLINE, "one borderline score each"),
    (FlagKind.SUSTAINED_IMPROVEMENT, "improvements that have lasted"),
)


def concern_title(key: str, findings: Sequence[Finding], domains: Sequence[str],
                  domain_names: Mapping[str, str]) -> str:
    """What the concern is about, in the rubric's or a practitioner's words."""
    if len(domains) > 1:
        return f"{number(len(domains)).capitalize()} areas"
    if domains:
        return domain_name(domains[0], domain_names)
    if key.startswith("immediate:"):
        return "Safe sleep" if findings[0].safe_sleep else "Immediate concern"
    return _TITLES.get(key) or findings[0].kind.value.replace("_", " ").capitalize()


def concern_sentence(title: str, findings: Sequence[Finding], domains: Sequence[str],
                     domain_names: Mapping[str, str]) -> str:
    """One sentence carrying the strongest evidence (findings strongest first)."""
    if findings[0].kind == FlagKind.IMMEDIATE_CONCERN:
        return findings[0].explanation  # said whole, on its own, as it was recorded
    if len(domains) < 2:
        return f"{title}: {_evidence(findings)}."
    kinds = {finding.kind for finding in findings}
    state = listing([words for kind, words in _STATES if kind in kinds])
    names = listing([domain_name(domain, domain_names) for domain in domains])
    worst = domains[0]
    own = [finding for finding in findings if finding.domains == (worst,)]
    evidence = phrase_of(own[0])
    if own[0].kind in (FlagKind.BELOW_AGREED, FlagKind.BORDERLINE):
        # Who gave the latest score, and when, is one tap away: the card names the areas.
        evidence = re.sub(r" \([^()]*\)$", "", evidence)
    return (f"{title}: {state[0].upper()}{state[1:]} in {names}. Most of all "
            f"{domain_name(worst, domain_names)}: {evidence}.")


def _evidence(findings: Sequence[Finding]) -> str:
    """The strongest finding's phrase, then what else is behind it in a few words."""
    if all(finding.kind in _EACH_SAID for finding in findings):
        return "; ".join(phrase_of(finding) for finding in findings)
    first = findings[0]
    counts = Counter(finding.kind for finding in findings[1:])
    also = [f"{number(count)} more like it" if kind == first.kind else _also(kind, count)
            for kind, count in counts.items()]
    return f"{phrase_of(first)}; also {listing(also)}" if also else phrase_of(first)


def _also(kind: FlagKind, count: int) -> str:
    one, many = _ALSO.get(kind, (kind.value.replace("_", " "),) * 2)
    return one if count == 1 else many.format(n=number(count))


def domain_name(domain: str, domain_names: Mapping[str, str]) -> str:
    return domain_names.get(domain) or domain.replace("_", " ").capitalize()


def phrase_of(finding: Finding) -> str:
    """The finding's short phrase (its whole sentence, for flags stored before phrases)."""
    return finding.phrase or finding.explanation.rstrip(".")
