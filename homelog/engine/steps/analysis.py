"""Pure analysis: a family's facts and the partnership's parameters in, findings out.

Nothing here touches the database, the clock or the app: `as_of` is passed in, and only
visits with visited_at <= as_of are read, so a history can be replayed visit by visit and
give the same answers as analysing it at once. Scores run 1 (best) to 5 (worst); "good
enough" is at or better than the family's agreed level (default 2); a concern is a score at
`Parameters.concern_level` or worse (the partnership's concern level, 4 unless it chose 3 or
5; `rubric.scale.is_concern` decides); between the two is borderline. "Not seen" (None)
scores are skipped. Below, "a concern" means a score at the concern level or worse.

Entry points: `analyse` (findings), `metrics` (family page figures), `evaluate` (both from
one pass, for the scheduler), `next_due` (when a time-based finding next comes true, for
incremental runs) and `rolling_medians` (what the trend charts draw).

The rules (product.md "What the engine must notice"), their keys and severities
--------------------------------------------------------------------------------
====================  =========================================  ==========================
kind                  key (one flag)                             severity
====================  =========================================  ==========================
1 below_agreed        below_agreed:<domain>:concern|borderline   HIGH at a concern; MEDIUM
                                                                 for a second borderline
                                                                 in a row
  borderline          borderline:<domain>                        LOW (a lone borderline
                                                                 score: digest only)
2 swing               swing:<visit>:<visit> (domains listed)     HIGH
3 not_sustained       not_sustained:<domain>                     HIGH if a crossing reached
                                                                 a concern, else MEDIUM
4 agencies_disagree   agencies_disagree:<visit>:<visit>          MEDIUM if either score is
                                                                 a concern, else LOW (a
                                                                 reconciliation prompt)
5 announced_gap       announced_gap                              HIGH
6 worsening_trend     worsening_trend:<domain>                   MEDIUM (early warning)
7 immediate_concern   immediate_concern:<concern>:<visit>        IMMEDIATE
8 no_recent_visit     no_recent_visit                            MEDIUM
  no_recent_unann.    no_recent_unannounced                      MEDIUM
  agency_not_visited  agency_not_visited:<agency id>             LOW
  room_never_seen     room_never_seen:<room>                     MEDIUM
  father_never_seen   father_never_seen                          MEDIUM
9 exposure            (metrics().days_at_concern_since_plan, not a finding)
  sustained_impr.     sustained_improvement:<domain>             LOW (good news)
  early_announced_gap early_announced_gap                        LOW (an early sign)
  first_visit_contr.  first_visit_contradicts:<visit>            LOW (an early sign)
====================  =========================================  ==========================

A lone borderline score never raises more than LOW findings: the borderline note (and, if
another agency scored 1 within 48 hours, a LOW prompt to compare); a move from 1 to 3 is not
a swing (swings end at a concern), and the below-agreed flag waits for a second one.

How long a finding is returned
------------------------------
* Events - swing, agencies_disagree, immediate_concern - happened at a visit: they are
  returned for as long as their visits are in the history (their key names the visits), and
  are closed by a practitioner's response, never by time.
* States - everything else - are returned while true. `became_true_at` dates the current
  spell: the visit that made it true (for the time-based gaps, the instant the gap reached its
  limit). The windows of rules 3, 5 and 6 are measured back from the latest visit, not from
  as_of, so only the coverage gaps change with time alone.
* So (key, became_true_at) names an occurrence: the same pair on the next run is the same
  flag (update its evidence, sentence, severity); the same key with a later became_true_at
  is the flag coming true again.

Choices where product.md gives no figure (each a `Parameters` field; details in the rules)
------------------------------------------------------------------------------------------
* Announced gap: each domain's unannounced mean minus its announced mean, then the mean over
  the domains (agencies see different rooms, so pooling would compare rooms, not visits);
  at least 3 visits of each kind in the window, 2 scores of each kind for a domain to count.
* Worsening trend: the rolling median of the 14 days up to each weekly point, over up to 12
  weekly points reaching back at least 8 weeks (6 points with scores at least), least-squares
  slope; flagged only once the latest rolling median is worse than the agreed level.
* Rooms never seen and a father or partner never seen: judged from the fifth visit.
* Sustained improvement (metrics().sustained_improvement, .sustained): the trailing run of
  good-enough scores after a worse one; a LOW finding only after a spell that raised a flag.
* Cumulative exposure: a domain stays at its last score between visits; days since the plan
  started during which any domain was at a concern (and per domain).
* Metrics use the same windows as the findings (crossings: the 90 days to the latest visit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from homelog.engine.steps.history import History, build_history
from homelog.engine.steps.rules import (
    agencies,
    concerns,
    coverage,
    early_signs,
    exposure,
    levels,
    sustained,
    trend,
)
from homelog.engine.steps.types import (
    FATHER_OR_PARTNER,
    FamilyFacts,
    FamilyMetrics,
    Finding,
    FlagKind,
    Parameters,
    Severity,
    SustainedImprovement,
    VisitFact,
)

__all__ = [
    "FATHER_OR_PARTNER",
    "FamilyFacts",
    "FamilyMetrics",
    "Finding",
    "FlagKind",
    "Parameters",
    "Severity",
    "SustainedImprovement",
    "VisitFact",
    "analyse",
    "analyse_until_due",
    "evaluate",
    "metrics",
    "next_due",
    "rolling_medians",
]

RULES: tuple[Callable[[History], list[Finding]], ...] = (
    levels.below_agreed,                # 1, and the borderline note
    levels.swings,                      # 2
    sustained.not_sustained,            # 3
    agencies.disagreements,             # 4
    agencies.announced_gap,             # 5
    trend.worsening_trends,             # 6
    concerns.immediate_concerns,        # 7
    coverage.no_recent_visit,           # 8
    coverage.no_recent_unannounced,
    coverage.agencies_not_visited,
    coverage.rooms_never_seen,
    coverage.father_never_seen,
    sustained.sustained_improvements,
    early_signs.early_announced_gap,
    early_signs.first_visits_contradicting,
)
_KIND_ORDER = {kind: rank for rank, kind in enumerate(FlagKind)}


def analyse(facts: FamilyFacts, params: Parameters, as_of: dt.datetime) -> list[Finding]:
    """Every finding true for the family as of `as_of`, considering only visits up to then.

    Sorted by became_true_at, then kind and key, so equal inputs give equal lists.
    """
    return _findings(build_history(facts, params, as_of))


def metrics(facts: FamilyFacts, params: Parameters, as_of: dt.datetime) -> FamilyMetrics:
    """The family-level figures shown on the family page and the trends endpoint."""
    return _metrics(build_history(facts, params, as_of))


def evaluate(facts: FamilyFacts, params: Parameters,
             as_of: dt.datetime) -> tuple[list[Finding], FamilyMetrics]:
    """`analyse` and `metrics` together, reading the history once."""
    history = build_history(facts, params, as_of)
    return _findings(history), _metrics(history)


def next_due(facts: FamilyFacts, params: Parameters, as_of: dt.datetime) -> dt.datetime | None:
    """When a time-based finding (a coverage gap) would next come true if nobody visits.

    Every other finding changes only when a visit, the agreement or the core group changes,
    so an incremental scheduler needs to rerun a family only then or at this instant.
    """
    return coverage.next_gap_due(build_history(facts, params, as_of))


def analyse_until_due(facts: FamilyFacts, params: Parameters,
                      as_of: dt.datetime) -> tuple[list[Finding], dt.datetime | None]:
    """`analyse` and `next_due` together, reading the history once (the engine run)."""
    history = build_history(facts, params, as_of)
    return _findings(history), coverage.next_gap_due(history)


def rolling_medians(facts: FamilyFacts, params: Parameters,
                    as_of: dt.datetime) -> dict[str, list[tuple[dt.datetime, float]]]:
    """Per domain, at each score: the median of the scores in the `trend_median_days` up to
    it - the line the worsening-trend rule fits, for the trend charts."""
    return trend.rolling_medians(build_history(facts, params, as_of))


def _findings(history: History) -> list[Finding]:
    found = [finding for rule in RULES for finding in rule(history)]
    found.sort(key=lambda f: (f.became_true_at, _KIND_ORDER[f.kind], f.key))
    return found


def _metrics(history: History) -> FamilyMetrics:
    last = history.last
    unannounced = next((index for index in range(last, -1, -1)
                        if not history.visits[index].announced), None)
    by_agency = coverage.last_visit_by_agency(history)
    days, days_by_domain = exposure.days_at_concern(history)
    runs = sustained.sustained_runs(history)
    gap = agencies.AnnouncedGap(history).reading(last) if last >= 0 else None
    return FamilyMetrics(
        crossings_90_days={domain: sustained.crossings_count(history, line)
                           for domain, line in history.series.items()},
        announced_gap=None if gap is None else round(gap.gap, 2),
        days_at_concern_since_plan=days,
        days_since_last_visit=coverage.days_since(history, last if last >= 0 else None),
        days_since_last_unannounced=coverage.days_since(history, unannounced),
        days_since_agency_visit={agency_id: coverage.days_since(history, by_agency.get(agency_id))
                                 for agency_id in history.facts.core_group_agencies},
        sustained_improvement={domain: run is not None for domain, run in runs.items()},
        days_at_concern_by_domain=days_by_domain,
        sustained={domain: run for domain, run in runs.items() if run is not None},
    )

