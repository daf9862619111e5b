"""What the trend charts draw: per-domain series against the agreed line, and family figures.

The rolling median is the analysis's own (the line its worsening-trend rule fits): at each
score, the median of the domain's scores over the `trend_median_days` up to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from homelog.core.time import local_date
from homelog.engine import analysis
from homelog.engine.analysis import FamilyFacts, VisitFact
from homelog.engine.facts import as_of_cutoff, family_facts, rubric_labels
from homelog.engine.parameters import analysis_parameters


def _point(visit: VisitFact, score: int) -> dict[str, Any]:
    return {"date": local_date(visit.visited_at), "at": visit.visited_at, "score": score,
            "agency": {"id": visit.agency_id, "name": visit.agency_name},
            "announced": visit.announced, "visit_id": visit.id}


def _domain_series(facts: FamilyFacts, key: str, metrics: analysis.FamilyMetrics,
                   medians: list[tuple[dt.datetime, float]], good_enough: int
                   ) -> dict[str, Any]:
    scored = [(visit, visit.scores.get(key)) for visit in facts.visits]
    scored = [(visit, score) for visit, score in scored if score is not None]
    return {
        "key": key,
        "name": facts.domain_names.get(key, key),
        "agreed_level": facts.agreed_levels[key],
        "good_enough_level": good_enough,
        "points": [_point(visit, score) for visit, score in scored],
        "rolling_median": [{"date": local_date(at), "at": at, "value": value}
                           for at, value in medians],
        "crossings_90_days": metrics.crossings_90_days.get(key, 0),
        "days_at_concern_since_plan": metrics.days_at_concern_by_domain.get(key, 0),
        "sustained_improvement": metrics.sustained_improvement.get(key, False),
    }


def family_trends(family_id: int, as_of: dt.datetime) -> dict[str, Any]:
    """Per-domain series (date, score, agency, announced, visit), agreed level, rolling
    median, and the family-level figures of analysis.metrics, as of `as_of`."""
    facts = family_facts(family_id)
    assert facts is not None  # the caller has opened the family
    facts = as_of_cutoff(facts, as_of)
    params = analysis_parameters()
    metrics = analysis.metrics(facts, params, as_of)
    medians = analysis.rolling_medians(facts, params, as_of)
    defaults = rubric_labels().default_levels
    return {
        "family_id": family_id,
        "as_of": as_of,
        "domains": [_domain_series(facts, key, metrics, medians.get(key, []),
                                   defaults.get(key, 2))
                    for key in facts.agreed_levels],
        "metrics": {
            "crossings_90_days": sum(metrics.crossings_90_days.values()),
            "announced_gap": metrics.announced_gap,
            "days_at_concern_since_plan": metrics.days_at_concern_since_plan,
            "days_since_last_visit": metrics.days_since_last_visit,
            "days_since_last_unannounced": metrics.days_since_last_unannounced,
            "agencies": [
                {"agency": {"id": agency_id, "name": name},
                 "days_since_last_visit": metrics.days_since_agency_visit.get(agency_id)}
                for agency_id, name in facts.core_group_agencies.items()
            ],
        },
    }
