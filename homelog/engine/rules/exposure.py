"""Rule 9: cumulative exposure - how long the children have lived with a concern (a metric,
kept on the family page, not a flag)."""

from __future__ import annotations

import datetime as dt

from homelog.engine.analysis_history import DAY, History


def days_at_concern(history: History) -> tuple[int, dict[str, int]]:
    """Whole days since the plan started during which some domain was at a concern (4-5).

    Between visits a domain is taken to stay at its last score (a "not seen" keeps the
    score before it): the last thing known about the home is what the children live with
    until someone sees otherwise. Returns the family's days (any domain at a concern) and
    each domain's own days.
    """
    start = dt.datetime.combine(history.facts.plan_started_on, dt.time(),
                                tzinfo=history.zone_or_utc).timestamp()
    end = history.as_of.timestamp()
    if end <= start:
        return 0, {}
    concern = history.params.concern_level
    since: dict[str, float] = {}   # domain -> instant it went to a concern
    seconds: dict[str, float] = {}
    family_since: float | None = None
    family_seconds = 0.0

    def overlap(low: float, high: float) -> float:
        return max(0.0, min(high, end) - max(low, start))

    for visit, instant in zip(history.visits, history.times, strict=True):
        for domain, score in visit.scores.items():
            if score is None:
                continue
            if score >= concern:
                since.setdefault(domain, instant)
            elif domain in since:
                seconds[domain] = seconds.get(domain, 0.0) + overlap(since.pop(domain), instant)
        if since and family_since is None:
            family_since = instant
        elif not since and family_since is not None:
            family_seconds += overlap(family_since, instant)
            family_since = None
    for domain, began in since.items():
        seconds[domain] = seconds.get(domain, 0.0) + overlap(began, end)
    if family_since is not None:
        family_seconds += overlap(family_since, end)
    by_domain = {domain: int(total // DAY) for domain, total in seconds.items() if total > 0}
    return int(family_seconds // DAY), by_domain
