"""Findings grouped into concerns: one family, one picture (the engine's third step).

The rules say each thing they notice on its own; four cards about one kitchen ("worse than
agreed at 15 visits in a row", "getting worse", "improvements have not lasted", "went from 3
to 5 in 6 days") are one concern about the kitchen. This step groups a family's findings,
without losing any:

* every immediate concern (safe-sleep dangers among them) stays a concern of its own, first;
* every finding about one domain (below agreed, borderline, a swing, not sustained, a
  worsening trend, a disagreement about that domain, a lasting improvement) joins that
  domain's concern: at most one concern per domain;
* domains in the same state (the same kinds of lasting finding: worse than agreed, getting
  worse, not lasting, ...) are one concern about all of them: a home where six areas are
  all worse than agreed and getting worse is one thing to say, with the worst named first;
* the family-wide findings join one concern each: visiting and who has been seen (no visit,
  no unannounced visit, an agency not visiting, rooms never seen, a father or partner never
  seen), announced against unannounced visits, agencies disagreeing across several areas,
  and several areas changing suddenly at once.

A concern's severity is the highest of its findings'; its sentence joins its findings' short
phrases, strongest first (`concerns_wording`). Pure: findings in, concerns out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from homelog.engine.steps.concerns_wording import concern_sentence, concern_title
from homelog.engine.steps.types import Finding, FlagKind, Severity

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
    domains: tuple[str, ...] = ()  # the domains it is about (worst first), if any
    immediate: bool = False
    safe_sleep: bool = False

    @property
    def domain(self) -> str | None:
        """The one domain it is about, if it is about exactly one."""
        return self.domains[0] if len(self.domains) == 1 else None


def concern_key(finding: Finding) -> str:
    """The concern a finding belongs in (the grouping rule, one finding at a time)."""
    kind = finding.kind
    if kind == FlagKind.IMMEDIATE_CONCERN:
        return f"immediate:{finding.key}"
    if kind in COVERAGE_KINDS or kind == FlagKind.FATHER_NEVER_SEEN:
        return "visiting"
    if kind in (FlagKind.ANNOUNCED_GAP, FlagKind.EARLY_ANNOUNCED_GAP):
        return "announced_gap"
    if len(finding.domains) == 1:
        return f"domain:{finding.domains[0]}"
    if kind in (FlagKind.AGENCIES_DISAGREE, FlagKind.FIRST_VISIT_CONTRADICTS):
        return "agencies_disagree"
    return "sudden_changes" if kind == FlagKind.SWING else f"other:{kind.value}"


def group(findings: Iterable[Finding], domain_names: Mapping[str, str]) -> list[Concern]:
    """The family's concerns: immediate ones first, then by severity and the rubric's order.

    Every finding is in exactly one concern.
    """
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(concern_key(finding), []).append(finding)
    order = {domain: rank for rank, domain in enumerate(domain_names)}
    concerns = [_concern(key, members, domain_names, order)
                for key, members in _same_state_together(grouped, order).items()]
    concerns.sort(key=lambda concern: (
        not concern.immediate, -SEVERITY_RANK[concern.severity],
        min((order.get(domain, len(order)) for domain in concern.domains), default=len(order)),
        concern.key))
    return concerns


# The findings that say what state a domain is in (the events - swings, disagreements -
# ride along with their domain).
_STATE_KINDS = frozenset({FlagKind.BELOW_AGREED, FlagKind.BORDERLINE, FlagKind.WORSENING_TREND,
                          FlagKind.NOT_SUSTAINED, FlagKind.SUSTAINED_IMPROVEMENT})


def _same_state_together(grouped: dict[str, list[Finding]],
                         order: Mapping[str, int]) -> dict[str, list[Finding]]:
    """Domain concerns with the same kinds of state finding, merged into one concern."""
    by_state: dict[frozenset[FlagKind], list[str]] = {}
    for key, members in grouped.items():
        if key.startswith("domain:"):
            state = frozenset(f.kind for f in members) & _STATE_KINDS
            by_state.setdefault(state, []).append(key)
    merged = {key: members for key, members in grouped.items()}
    for state, keys in by_state.items():
        if len(keys) < 2 or not state:
            continue  # only events (a swing, a disagreement): each domain says its own
        keys.sort(key=lambda key: order.get(key.removeprefix("domain:"), len(order)))
        merged["domains:" + "+".join(key.removeprefix("domain:") for key in keys)] = [
            finding for key in keys for finding in merged.pop(key)]
    return merged


def _concern(key: str, members: list[Finding], domain_names: Mapping[str, str],
             order: Mapping[str, int]) -> Concern:
    ordered = tuple(sorted(members, key=_strength))
    domains = _domains(key, ordered, order)
    title = concern_title(key, ordered, domains, domain_names)
    return Concern(
        key=key, title=title, severity=max((f.severity for f in ordered), key=SEVERITY_RANK.get),
        sentence=concern_sentence(title, ordered, domains, domain_names), findings=ordered,
        domains=domains, immediate=key.startswith("immediate:"),
        safe_sleep=any(f.safe_sleep for f in ordered),
    )


def _domains(key: str, ordered: tuple[Finding, ...], order: Mapping[str, int]) -> tuple[str, ...]:
    """The domains a domain concern is about, worst first (its strongest finding's first)."""
    if not key.startswith(("domain:", "domains:")):
        return ()
    named = key.split(":", 1)[1].split("+")
    first_seen: dict[str, int] = {}
    for rank, finding in enumerate(ordered):
        for domain in finding.domains:
            first_seen.setdefault(domain, rank)
    return tuple(sorted(named, key=lambda domain: (first_seen.get(domain, len(ordered)),
                                                   order.get(domain, len(order)))))


# The order a concern's findings are said in: what the home is like now, then where it is
# going, then what happened on the way.
_KIND_ORDER = {kind: rank for rank, kind in enumerate((
    FlagKind.IMMEDIATE_CONCERN, FlagKind.BELOW_AGREED, FlagKind.WORSENING_TREND,
    FlagKind.NOT_SUSTAINED, FlagKind.SWING, FlagKind.AGENCIES_DISAGREE,
    FlagKind.FIRST_VISIT_CONTRADICTS, FlagKind.ANNOUNCED_GAP, FlagKind.EARLY_ANNOUNCED_GAP,
    FlagKind.NO_RECENT_VISIT, FlagKind.NO_RECENT_UNANNOUNCED, FlagKind.AGENCY_NOT_VISITED,
    FlagKind.ROOM_NEVER_SEEN, FlagKind.FATHER_NEVER_SEEN, FlagKind.BORDERLINE,
    FlagKind.SUSTAINED_IMPROVEMENT,
))}


def _strength(finding: Finding) -> tuple[int, int, float, str]:
    # A state that has lasted longer is the stronger evidence; of events, the latest is.
    since = finding.became_true_at.timestamp()
    return (_KIND_ORDER.get(finding.kind, len(_KIND_ORDER)), -SEVERITY_RANK[finding.severity],
            since if finding.kind in _STATE_KINDS else -since, finding.key)
