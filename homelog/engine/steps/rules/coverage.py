"""Rule 8: coverage gaps - who has not visited, what has not been seen, who has not been met.

The three time-based gaps (no visit, no unannounced visit, a silent agency) come true as
time passes, not at a visit: each becomes true at the start (local midnight) of the calendar
day N days after the last visit's day, or after the day the family was opened when there was
none (days as core.time.calendar_day counts them), so replaying a history finds them at the
same instant as analysing it at once. `next_gap_due` tells
the scheduler when the next one would come true.

Rooms never seen and a father or partner never seen are judged once `rooms_min_visits` /
`father_min_visits` visits are recorded, and become true at that visit.
"""

from __future__ import annotations

import datetime as dt

from homelog.core.time import start_of_day
from homelog.engine.steps.analysis_wording import day, day_of, plural, room_name
from homelog.engine.steps.history import History
from homelog.engine.steps.rules.evidence import visit_ids, visit_ids_between
from homelog.engine.steps.types import FATHER_OR_PARTNER, Finding, FlagKind, Severity


def days_since(history: History, index: int | None) -> int | None:
    """Calendar days from the visit at `index` to as_of (None when there is no visit)."""
    return None if index is None else history.days_since(index)


def _last_visit(history: History, *, unannounced: bool = False) -> int | None:
    for index in range(history.last, -1, -1):
        if not unannounced or not history.visits[index].announced:
            return index
    return None


def last_visit_by_agency(history: History) -> dict[int, int]:
    """Agency id -> index of its latest visit."""
    return {visit.agency_id: index for index, visit in enumerate(history.visits)}


def _due(history: History, index: int | None, days: int) -> dt.datetime:
    """The start of the day `days` after the visit's day (or the day the family was opened)."""
    since = history.facts.opened_on.toordinal() if index is None else history.days[index]
    return start_of_day(since + days, history.zone_or_utc)


def _since(history: History, index: int | None) -> str:
    if index is None:
        return f"since the family was opened on {day_of(history.facts.opened_on)}"
    return f"since {day(history, history.visits[index].visited_at)}"


def no_recent_visit(history: History) -> list[Finding]:
    """Nobody has visited for `no_visit_days`. MEDIUM: a child on a plan is not being seen."""
    last = _last_visit(history)
    due = _due(history, last, history.params.no_visit_days)
    if due > history.as_of:
        return []
    who = "" if last is None else f" (the last was {history.visits[last].agency_name})"
    return [Finding(
        kind=FlagKind.NO_RECENT_VISIT, severity=Severity.MEDIUM, key="no_recent_visit",
        domains=(), evidence_visit_ids=visit_ids(history, () if last is None else (last,)),
        became_true_at=due,
        explanation=(f"Nobody has visited {_since(history, last)}{who}: the longest gap "
                     f"agreed is {history.params.no_visit_days} days."),
        phrase=f"nobody has visited {_since(history, last)}",
    )]


def no_recent_unannounced(history: History) -> list[Finding]:
    """No unannounced visit for `no_unannounced_days`. MEDIUM: announced visits alone can
    show a home got ready for the visitor."""
    last = _last_visit(history, unannounced=True)
    due = _due(history, last, history.params.no_unannounced_days)
    if due > history.as_of:
        return []
    arranged = history.last - (-1 if last is None else last)
    since = f" ({plural(arranged, 'visit')} since, all arranged in advance)" if arranged else ""
    return [Finding(
        kind=FlagKind.NO_RECENT_UNANNOUNCED, severity=Severity.MEDIUM,
        key="no_recent_unannounced", domains=(),
        evidence_visit_ids=visit_ids(history, () if last is None else (last,)),
        became_true_at=due,
        explanation=(
            f"There has been no unannounced visit {_since(history, last)}{since}: the longest "
            f"gap agreed is {history.params.no_unannounced_days} days."
        ),
        phrase=f"no unannounced visit {_since(history, last)}",
    )]


def agencies_not_visited(history: History) -> list[Finding]:
    """Each core-group agency that has not visited for `agency_silent_days` (or ever, once
    the family has been open that long). LOW: a prompt in the digest, one per agency."""
    latest = last_visit_by_agency(history)
    found = []
    for agency_id, name in history.facts.core_group_agencies.items():
        last = latest.get(agency_id)
        due = _due(history, last, history.params.agency_silent_days)
        if due > history.as_of:
            continue
        found.append(Finding(
            kind=FlagKind.AGENCY_NOT_VISITED, severity=Severity.LOW,
            key=f"agency_not_visited:{agency_id}", domains=(),
            evidence_visit_ids=visit_ids(history, () if last is None else (last,)),
            became_true_at=due,
            explanation=(f"{name}, in the core group, has not visited {_since(history, last)}: "
                         f"{history.params.agency_silent_days} days or more."),
            agency_ids=(agency_id,),
            phrase=f"{name} has not visited {_since(history, last)}",
        ))
    return found


def rooms_never_seen(history: History) -> list[Finding]:
    """Rooms of the rubric no visit has seen, once `rooms_min_visits` visits are recorded.
    MEDIUM: reviews keep finding the child's bedroom was never looked at. One per room."""
    needed = history.params.rooms_min_visits
    if len(history.visits) < needed:
        return []
    seen = {room for visit in history.visits for room in visit.rooms_seen}
    return [_room(history, room) for room in history.facts.room_labels if room not in seen]


def _room(history: History, room: str) -> Finding:
    return Finding(
        kind=FlagKind.ROOM_NEVER_SEEN, severity=Severity.MEDIUM, key=f"room_never_seen:{room}",
        domains=(), evidence_visit_ids=visit_ids_between(history, 0, history.last),
        became_true_at=history.visits[history.params.rooms_min_visits - 1].visited_at,
        explanation=(f"{room_name(history, room)} has not been seen at any of the "
                     f"{plural(len(history.visits), 'visit')} {_since(history, 0)}."),
        phrase=f"{room_name(history, room)} never seen",
    )


def father_never_seen(history: History) -> list[Finding]:
    """No father or partner present at any visit, once `father_min_visits` are recorded.
    MEDIUM: so that men in the household do not go invisible (product.md)."""
    needed = history.params.father_min_visits
    if len(history.visits) < needed:
        return []
    if any(FATHER_OR_PARTNER in visit.present for visit in history.visits):
        return []
    return [Finding(
        kind=FlagKind.FATHER_NEVER_SEEN, severity=Severity.MEDIUM, key="father_never_seen",
        domains=(), evidence_visit_ids=visit_ids_between(history, 0, history.last),
        became_true_at=history.visits[needed - 1].visited_at,
        explanation=(f"No father or partner has been seen at any of the "
                     f"{plural(len(history.visits), 'visit')} {_since(history, 0)}."),
        phrase=(f"no father or partner seen at any of the "
                f"{plural(len(history.visits), 'visit')} {_since(history, 0)}"),
    )]


def next_gap_due(history: History) -> dt.datetime | None:
    """The next instant after as_of at which a time-based gap comes true, if no one visits."""
    params = history.params
    latest = last_visit_by_agency(history)
    dues = [
        _due(history, _last_visit(history), params.no_visit_days),
        _due(history, _last_visit(history, unannounced=True), params.no_unannounced_days),
        *(_due(history, latest.get(agency_id), params.agency_silent_days)
          for agency_id in history.facts.core_group_agencies),
    ]
    later = [due for due in dues if due > history.as_of]
    return min(later, default=None)
