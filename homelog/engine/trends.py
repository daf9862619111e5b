"""What the trend charts draw: per-domain series against the agreed line, and family figures.

The agreed line is the level in force at each date: a revision of the agreement moves it
from its agreed-on date (a step), and each point carries the level it is judged against.

The rolling median is the analysis's own (the line its worsening-trend rule fits): at each
score, the median of the domain's scores over the `trend_median_days` up to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from homelog.core.time import local_date
from homelog.engine.facts import as_of_cutoff, family_facts, rubric_labels
from homelog.engine.parameters import analysis_parameters
from homelog.engine.steps import analysis
from homelog.engine.steps.analysis import FamilyFacts, VisitFact
from homelog.rubric.scale import GOOD_ENOUGH_MAX


def _point(visit: VisitFact, score: int, agreed: list[dict[str, Any]]) -> dict[str, Any]:
    day = local_date(visit.visited_at)
    return {"date": day, "at": visit.visited_at, "score": score,
            "agency": {"id": visit.agency_id, "name": visit.agency_name},
            "announced": visit.announced, "visit_id": visit.id,
            "agreed_level": _level_on(agreed, day)}


def _agreed_over_time(facts: FamilyFacts, key: str, today: dt.date) -> list[dict[str, Any]]:
    """The domain's agreed level over time up to `today`, oldest first, a step per change."""
    now = facts.agreed_levels[key]
    steps: list[dict[str, Any]] = []
    for starts, levels in facts.agreed_steps or ((None, facts.agreed_levels),):
        if starts is not None and starts > today:
            break  # agreed after the date drawn (a replay as of an earlier date)
        level = levels.get(key, now)
        if not steps or steps[-1]["level"] != level:
            steps.append({"starts": starts, "level": level})
    return steps


def _level_on(steps: list[dict[str, Any]], day: dt.date) -> int:
    level = steps[0]["level"]
    for step in steps:
        if step["starts"] is not None and step["starts"] > day:
            break
        level = step["level"]
    return level


def _domain_series(facts: FamilyFacts, key: str, metrics: analysis.FamilyMetrics,
                   medians: list[tuple[dt.datetime, float]], good_enough: int,
                   today: dt.date) -> dict[str, Any]:
    scored = [(visit, visit.scores.get(key)) for visit in facts.visits]
    scored = [(visit, score) for visit, score in scored if score is not None]
    agreed = _agreed_over_time(facts, key, today)
    return {
        "key": key,
        "name": facts.domain_names.get(key, key),
        "agreed_level": agreed[-1]["level"],
        "agreed_levels": agreed,
        "good_enough_level": good_enough,
        "points": [_point(visit, score, agreed) for visit, score in scored],
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
                                   defaults.get(key, GOOD_ENOUGH_MAX), local_date(as_of))
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
