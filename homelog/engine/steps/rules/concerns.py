"""Rule 7: an immediate concern ticked at a visit."""

from __future__ import annotations

from homelog.engine.steps.analysis_wording import concern_label, day
from homelog.engine.steps.history import History
from homelog.engine.steps.types import Finding, FlagKind, Severity, VisitFact


def immediate_concerns(history: History) -> list[Finding]:
    """One IMMEDIATE finding per concern ticked per visit, whatever the scores.

    Keyed by concern and visit: each ticking is its own occurrence, to be responded to.
    Safe-sleep concerns carry `safe_sleep`, so their flags never close by themselves. They
    stay in the answer for as long as the visit is in the history: they happened.
    """
    found = []
    for visit in history.visits:
        if not visit.concerns:
            continue
        for concern in dict.fromkeys(visit.concerns):  # a concern ticked twice is one
            found.append(_concern(history, visit, concern))
    return found


def _concern(history: History, visit: VisitFact, concern: str) -> Finding:
    safe_sleep = concern in history.facts.safe_sleep_concerns
    label = concern_label(history, concern)
    kind_of = "a safe-sleep danger" if safe_sleep else "an immediate concern"
    return Finding(
        kind=FlagKind.IMMEDIATE_CONCERN, severity=Severity.IMMEDIATE,
        key=f"immediate_concern:{concern}:{visit.id}", domains=(),
        evidence_visit_ids=(visit.id,), became_true_at=visit.visited_at,
        explanation=(f"{visit.agency_name} recorded {kind_of} at the visit on "
                     f"{day(history, visit.visited_at)}: {label}."),
        safe_sleep=safe_sleep, agency_ids=(visit.agency_id,),
        phrase=f"{label}, recorded by {visit.agency_name} on {day(history, visit.visited_at)}",
    )
