"""The words of a concern: its title and its one sentence, from its findings' phrases.

"Kitchen and food hygiene: worse than the agreed 2 at 15 visits in a row since 31 Oct, most
recently 5 (Demo police, 3 Dec); getting worse over the 8 weeks to 3 Dec (typical score 3
to 4.5); improvements have not lasted (5 crossings of the line in the 90 days to 3 Dec)."
Each kind of finding is said once, by its strongest (latest) instance; more of the same kind
are counted, not repeated. Every finding stays one tap away in the concern's list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from homelog.engine.analysis_types import Finding, FlagKind
from homelog.engine.analysis_wording import listing, number

_TITLES = {
    "visiting": "Visiting and who has been seen",
    "announced_gap": "Announced and unannounced visits",
    "agencies_disagree": "Agencies disagree",
    "sudden_changes": "Sudden changes in several areas",
}
# Kinds whose findings each say something different (a different agency or room): all said.
_EACH_SAID = frozenset({FlagKind.AGENCY_NOT_VISITED, FlagKind.ROOM_NEVER_SEEN,
                        FlagKind.IMMEDIATE_CONCERN})
_MORE = {
    FlagKind.SWING: ("earlier sudden change", "earlier sudden changes"),
    FlagKind.AGENCIES_DISAGREE: ("earlier disagreement", "earlier disagreements"),
    FlagKind.FIRST_VISIT_CONTRADICTS: ("more first visit like it",
                                       "more first visits like it"),
}
# How the state of several domains at once is said, in this order.
_STATES = (
    (FlagKind.BELOW_AGREED, "worse than agreed"),
    (FlagKind.WORSENING_TREND, "getting worse"),
    (FlagKind.NOT_SUSTAINED, "improvements have not lasted"),
    (FlagKind.BORDERLINE, "one borderline score each"),
    (FlagKind.SUSTAINED_IMPROVEMENT, "the improvement has lasted"),
)


def concern_title(key: str, findings: Sequence[Finding], domains: Sequence[str],
                  domain_names: Mapping[str, str]) -> str:
    """What the concern is about, in the rubric's or a practitioner's words."""
    if domains:
        return listing([domain_name(domain, domain_names) for domain in domains])
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
    state = "; ".join(words for kind, words in _STATES if kind in kinds)
    worst = domains[0]
    own = [finding for finding in findings if finding.domains == (worst,)]
    return (f"{title} ({number(len(domains))} areas): {state}. Most of all "
            f"{domain_name(worst, domain_names)}: {_evidence(own)}.")


def _evidence(findings: Sequence[Finding]) -> str:
    """Each kind said once, by its strongest instance, with how many more there are."""
    counts = Counter(finding.kind for finding in findings)
    parts: list[str] = []
    said: set[FlagKind] = set()
    for finding in findings:
        if finding.kind in _EACH_SAID:
            parts.append(phrase_of(finding))
        elif finding.kind not in said:
            said.add(finding.kind)
            parts.append(phrase_of(finding) + _more(finding.kind, counts[finding.kind] - 1))
    return "; ".join(parts)


def _more(kind: FlagKind, others: int) -> str:
    if not others:
        return ""
    one, many = _MORE.get(kind, ("more like it", "more like it"))
    return f", and {others} {one if others == 1 else many}"


def domain_name(domain: str, domain_names: Mapping[str, str]) -> str:
    return domain_names.get(domain) or domain.replace("_", " ").capitalize()


def phrase_of(finding: Finding) -> str:
    """The finding's short phrase (its whole sentence, for flags stored before phrases)."""
    return finding.phrase or finding.explanation.rstrip(".")
