"""Findings grouped into concerns: one family, one picture (the engine's third step).

The rules say each thing they notice on its own; four cards about one kitchen ("worse than
agreed at 15 visits in a row", "getting worse", "improvements have not lasted", "went from 3
to 5 in 6 days") are one concern about the kitchen. This step groups a family's findings,
without losing any:

* every immediate concern (safe-sleep dangers among them) stays a concern of its own, first;
* every finding about one domain (below agreed, borderline, a swing, not sustained, a
  worsening trend, a disagreement about that domain, a lasting improvement) joins that
  domain's concern: at most one concern per domain;
* the family-wide findings join one concern each: visiting (no visit, no unannounced visit,
  an agency not visiting, rooms never seen), a father or partner never seen, announced
  against unannounced visits, two agencies disagreeing across several areas (one concern per
  pair of agencies), and several areas changing suddenly at once.

A concern's severity is the highest of its findings'; its sentence joins its findings' short
phrases, strongest first (`concerns_wording`). Pure: findings in, concerns out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from homelog.engine.analysis_types import Finding, FlagKind, Severity
from homelog.engine.concerns_wording import concern_sentence, concern_title

SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}

COVERAGE_KINDS = frozenset({FlagKind.NO_RECENT_VISIT, FlagKind.NO_RECENT_UNANNOUNCED,
                            FlagKind.AGENCY_NOT_VISITED, FlagKind.ROOM_NEVER_SEEN})


@dataclass(frozen=True)
class Concern:
    """Findings that belong together, said in one sentence."""

    key: str                      # "immediate:<finding key>", "domain:<key>", "visiting", ...
    title: str                    # "Kitchen and food hygiene", "Visiting", "Unsafe sleep"
    severity: Severity            # the highest of its findings'
    sentence: str
    findings: tuple[Finding, ...]  # strongest first
    domain: str | None = None
    immediate: bool = False
    safe_sleep: bool = False


def concern_key(finding: Finding) -> str:
    """The concern a finding belongs in (the grouping rule, one finding at a time)."""
    kind = finding.kind
    if kind == FlagKind.IMMEDIATE_CONCERN:
        return f"immediate:{finding.key}"
    if kind in COVERAGE_KINDS:
        return "visiting"
    if kind == FlagKind.FATHER_NEVER_SEEN:
        return "father_or_partner"
    if kind == FlagKind.ANNOUNCED_GAP:
        return "announced_gap"
    if len(finding.domains) == 1:
        return f"domain:{finding.domains[0]}"
    if kind == FlagKind.AGENCIES_DISAGREE:
        first, second = sorted(finding.agency_ids)[:2]
        return f"agencies_disagree:{first}:{second}"
    return "sudden_changes" if kind == FlagKind.SWING else f"other:{kind.value}"


def group(findings: Iterable[Finding], domain_names: Mapping[str, str]) -> list[Concern]:
    """The family's concerns: immediate ones first, then by severity and the rubric's order.

    Every finding is in exactly one concern.
    """
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(concern_key(finding), []).append(finding)
    concerns = [_concern(key, members, domain_names) for key, members in grouped.items()]
    order = {f"domain:{domain}": rank for rank, domain in enumerate(domain_names)}
    concerns.sort(key=lambda concern: (not concern.immediate, -SEVERITY_RANK[concern.severity],
                                       order.get(concern.key, len(order)), concern.key))
    return concerns


def _concern(key: str, members: list[Finding], domain_names: Mapping[str, str]) -> Concern:
    ordered = tuple(sorted(members, key=_strength))
    domain = key.removeprefix("domain:") if key.startswith("domain:") else None
    title = concern_title(key, ordered, domain_names)
    return Concern(
        key=key, title=title, severity=max((f.severity for f in ordered), key=SEVERITY_RANK.get),
        sentence=concern_sentence(title, ordered), findings=ordered, domain=domain,
        immediate=key.startswith("immediate:"), safe_sleep=any(f.safe_sleep for f in ordered),
    )


# The order a concern's findings are said in: what the home is like now, then where it is
# going, then what happened on the way; the latest of equals first.
_KIND_ORDER = {kind: rank for rank, kind in enumerate((
    FlagKind.IMMEDIATE_CONCERN, FlagKind.BELOW_AGREED, FlagKind.WORSENING_TREND,
    FlagKind.NOT_SUSTAINED, FlagKind.SWING, FlagKind.AGENCIES_DISAGREE, FlagKind.ANNOUNCED_GAP,
    FlagKind.NO_RECENT_VISIT, FlagKind.NO_RECENT_UNANNOUNCED, FlagKind.AGENCY_NOT_VISITED,
    FlagKind.ROOM_NEVER_SEEN, FlagKind.FATHER_NEVER_SEEN, FlagKind.BORDERLINE,
    FlagKind.SUSTAINED_IMPROVEMENT,
))}


def _strength(finding: Finding) -> tuple[int, int, float, str]:
    return (_KIND_ORDER.get(finding.kind, len(_KIND_ORDER)), -SEVERITY_RANK[finding.severity],
            -finding.became_true_at.timestamp(), finding.key)
