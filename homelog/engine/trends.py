"""What the trend charts draw: per-domain series against the agreed line, and family figures."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from homelog.core.time import local_date
from homelog.engine import analysis
from homelog.engine.analysis import FamilyFacts, VisitFact
from homelog.engine.facts import as_of_cutoff, family_facts, rubric_labels
from homelog.engine.parameters import analysis_parameters

# The rolling median is read over the visits of the last ROLLING_DAYS (at least the latest
# visit), which smooths one-off good or bad days without hiding a change for long.
ROLLING_DAYS = 28


def _rolling_median(points: list[tuple[dt.datetime, int]]) -> list[tuple[dt.datetime, float]]:
    medians = []
    for index, (at, _) in enumerate(points):
        window = [score for when, score in points[: index + 1]
                  if at - when <= dt.timedelta(days=ROLLING_DAYS)]
        medians.append((at, float(statistics.median(window))))
    return medians


def _point(visit: VisitFact, score: int) -> dict[str, Any]:
    return {"date": local_date(visit.visited_at), "at": visit.visited_at, "score": score,
            "agency": {"id": visit.agency_id, "name": visit.agency_name},
            "announced": visit.announced, "visit_id": visit.id}


def _domain_series(facts: FamilyFacts, key: str, metrics: analysis.FamilyMetrics,
                   good_enough: int) -> dict[str, Any]:
    scored = [(visit, visit.scores.get(key)) for visit in facts.visits]
    scored = [(visit, score) for visit, score in scored if score is not None]
    medians = _rolling_median([(visit.visited_at, score) for visit, score in scored])
    return {
        "key": key,
        "name": facts.domain_names.get(key, key),
        "agreed_level": facts.agreed_levels[key],
        "good_enough_level": good_enough,
        "points": [_point(visit, score) for visit, score in scored],
        "rolling_median": [{"date": local_date(at), "at": at, "value": value}
                           for at, value in medians],
        "crossings_90_days": metrics.crossings_90_days.get(key, 0),
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
    defaults = rubric_labels().default_levels
    return {
        "family_id": family_id,
        "as_of": as_of,
        "domains": [_domain_series(facts, key, metrics, defaults.get(key, 2))
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
