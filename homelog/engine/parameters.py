"""Partnership parameters: every engine threshold and schedule, with defaults and safe ranges.

The analysis thresholds are the fields of `analysis.Parameters` (their defaults are the
ones product.md documents); the rest say when the scheduler runs and when an
unacknowledged flag escalates. Administrators change them through
`PUT /api/v1/engine/parameters`; a value is stored only when it differs from nothing,
so a partnership that changed nothing follows the defaults as they evolve.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from homelog.accounts.models import User
from homelog.accounts.services import actor_of
from homelog.audit.models import AuditEntry
from homelog.audit.services import record
from homelog.core.errors import invalid
from homelog.core.partnership_settings import store, stored_values
from homelog.engine.models import FamilyEngineState
from homelog.engine.parameter_words import GROUP_OF, LABELS
from homelog.engine.steps.analysis import Parameters
from homelog.extensions import db
from homelog.rubric import concern_level, scale


@dataclass(frozen=True)
class Setting:
    """One parameter: its default, the range a partnership may choose, and what it means."""

    name: str
    default: int | float
    minimum: int | float
    maximum: int | float
    unit: str
    description: str

    @property
    def is_integer(self) -> bool:
        return isinstance(self.default, int)


_ANALYSIS_RANGES: dict[str, tuple[int | float, int | float, str, str]] = {
    "swing_window_days": (1, 60, "days",
                          "A swing counts only when the two visits are at most this far apart."),
    "swing_min_levels": (1, 4, "levels", "A move by at least this many levels is a swing."),
    "crossings_window_days": (14, 365, "days", "Crossings of the good-enough line are counted "
                              "over this many days."),
    "crossings_min": (2, 20, "crossings", "This many crossings in the window means the "
                      "improvement is not sustained."),
    "disagreement_window_hours": (1, 336, "hours", "Two agencies' visits this close together "
                                  "are compared."),
    "disagreement_min_levels": (1, 4, "levels", "Agencies this many levels apart disagree."),
    "announced_gap_window_days": (14, 365, "days", "Announced and unannounced visits are "
                                  "compared over this many days."),
    "announced_gap_min_levels": (0.25, 4.0, "levels", "Unannounced visits this much worse on "
                                 "average than announced ones raise a flag."),
    "trend_min_weeks": (2, 52, "weeks", "The shortest stretch a worsening trend is read over."),
    "trend_max_weeks": (2, 104, "weeks", "The longest stretch a worsening trend is read over."),
    "trend_slope_per_week": (0.01, 2.0, "levels per week", "A rolling median worsening faster "
                             "than this is a worsening trend."),
    "no_visit_days": (1, 180, "days", "No visit at all for this long is a coverage gap."),
    "no_unannounced_days": (1, 365, "days", "No unannounced visit for this long is a coverage "
                            "gap."),
    "agency_silent_days": (1, 365, "days", "A core-group agency that has not visited for this "
                           "long is a coverage gap."),
    "sustained_min_visits": (1, 20, "visits", "Good-enough visits in a row needed before an "
                             "improvement counts as sustained."),
    "sustained_min_days": (1, 365, "days", "...spread over at least this many days."),
    # The scale's own setting (rubric/scale.py), listed here for the settings screen.
    "concern_level": (scale.CONCERN_LEVEL_MIN, scale.CONCERN_LEVEL_MAX, "level",
                      "A score at or worse than this is a concern (between the agreed level "
                      "and this is borderline): everywhere, from the phone to the PDFs."),
    "announced_gap_min_visits": (1, 20, "visits", "Announced and unannounced visits each "
                                 "needed in the window before they are compared."),
    "announced_gap_min_scores": (1, 20, "scores", "Scores of each kind a domain needs to "
                                 "count in the comparison."),
    "trend_median_days": (1, 60, "days", "Each point of the trend is the median of the "
                          "scores over this many days (the rolling median on the charts)."),
    "trend_min_points": (2, 52, "weekly points", "Weekly points needed before a slope is "
                         "read."),
    "rooms_min_visits": (1, 50, "visits", "Rooms never seen are judged once this many visits "
                         "are recorded."),
    "father_min_visits": (1, 50, "visits", "A father or partner never seen is judged once "
                          "this many visits are recorded."),
    "early_sign_min_levels": (0.5, 4.0, "levels", "The first unannounced visits, or an "
                              "agency's first visit, this far from the other visits is said "
                              "at once as an early sign."),
    "early_sign_min_visits": (1, 20, "visits", "Visits an early sign needs to compare with."),
    "early_sign_window_days": (7, 365, "days", "An agency's first visit is compared with the "
                               "other agencies' visits over this many days before it."),
}

# Not analysis thresholds: when things run and when flags escalate.
_SCHEDULE = (
    Setting("engine_interval_minutes", 60, 5, 1440, "minutes",
            "How often the scheduler runs the engine over families with something new."),
    Setting("recheck_hours", 24, 1, 168, "hours",
            "Every family is re-analysed at least this often, so rules that depend on the "
            "passing of time (windows, coverage gaps) stay current."),
    Setting("digest_hour", 7, 0, 23, "hour of the day (partnership time)",
            "When the daily digest email is sent."),
    Setting("escalation_delay_hours", 24, 1, 336, "hours",
            "A high-severity flag not acknowledged for this long goes to the lead social "
            "worker's manager."),
    Setting("escalation_check_minutes", 15, 1, 1440, "minutes",
            "How often the scheduler looks for flags to escalate."),
    Setting("outbox_interval_seconds", 60, 10, 3600, "seconds",
            "How often the scheduler sends waiting emails (immediate concerns go out within "
            "this time)."),
)


# How long records are kept (retention/services.py purges what is older, except for a
# family under legal hold). Children's social care and health visiting records are kept
# until the youngest child is 25 at least; the defaults keep everything 25 years.
_RETENTION = (
    Setting("retention_visit_years", 25, 1, 100, "years",
            "Visits, with their amendments, are kept this long after the visit."),
    Setting("retention_photo_years", 25, 1, 100, "years",
            "Photos are kept this long after their visit (never longer than the visit)."),
    Setting("retention_event_years", 25, 1, 100, "years",
            "Events (a police call-out, a GP letter) are kept this long after they happened."),
    Setting("retention_flag_years", 25, 1, 100, "years",
            "Closed flags are kept this long after they closed."),
    Setting("retention_audit_years", 25, 1, 100, "years",
            "Audit entries (who did or viewed what) are kept this long."),
    Setting("retention_message_days", 400, 30, 3650, "days",
            "Inbox entries and sent emails are kept this long."),
)


def _analysis_settings() -> tuple[Setting, ...]:
    settings = []
    for field in dataclasses.fields(Parameters):
        if field.name not in _ANALYSIS_RANGES:
            raise RuntimeError(f"analysis.Parameters.{field.name} has no range in "
                               "engine/parameters.py; add one")
        minimum, maximum, unit, description = _ANALYSIS_RANGES[field.name]
        settings.append(Setting(field.name, field.default, minimum, maximum, unit,  # type: ignore[arg-type]
                                description))
    return tuple(settings)


CATALOGUE: dict[str, Setting] = {s.name: s for s in (*_analysis_settings(), *_SCHEDULE,
                                                     *_RETENTION)}
ANALYSIS_NAMES = frozenset(field.name for field in dataclasses.fields(Parameters))
if CATALOGUE.keys() != LABELS.keys():
    raise RuntimeError("engine/parameter_words.py must name every parameter, and only those: "
                       f"{sorted(CATALOGUE.keys() ^ LABELS.keys())}")
CHANGE_ACTION = "engine.parameters.change"


def current_values() -> dict[str, int | float]:
    """Every parameter's value in force: the partnership's, else the default."""
    stored = stored_values()
    return {name: stored.get(name, setting.default) for name, setting in CATALOGUE.items()}


def analysis_parameters(values: dict[str, int | float] | None = None) -> Parameters:
    """The analysis thresholds in force, as the pure analysis takes them."""
    values = values if values is not None else current_values()
    return Parameters(**{name: values[name] for name in ANALYSIS_NAMES})


def describe() -> list[dict[str, Any]]:
    """Each parameter with its value, default, range, unit, name and meaning in plain
    words, in the groups the settings screen shows them in."""
    values = current_values()
    return [{**dataclasses.asdict(CATALOGUE[name]), "value": values[name],
             "label": LABELS[name], "group": GROUP_OF[name],
             "whole_number": CATALOGUE[name].is_integer}
            for name in LABELS]


def history(before: int | None, limit: int) -> dict[str, Any]:
    """One page of changes to the parameters, newest first (a cursor: `before`, the last
    id of the page before): who changed which from what to what, and when. Read from the
    audit trail, which every change writes to and which nobody can edit."""
    query = (select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.user_id)
             .where(AuditEntry.action == CHANGE_ACTION, AuditEntry.family_id.is_(None)))
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return {"entries": [_change(entry, name) for entry, name in page],
            "next_before": page[-1][0].id if len(rows) > limit else None}


def _change(entry: AuditEntry, name: str | None) -> dict[str, Any]:
    changes = [{"name": key, "label": LABELS.get(key, key),
                "unit": CATALOGUE[key].unit if key in CATALOGUE else "",
                "from": change.get("from"), "to": change.get("to")}
               for key, change in sorted((entry.detail or {}).items())
               if isinstance(change, dict)]
    by = {"id": entry.user_id, "name": name} if entry.user_id is not None else None
    return {"id": entry.id, "at": entry.at, "by": by, "changes": changes}


def _check(changes: dict[str, Any]) -> dict[str, int | float]:
    problems: dict[str, list[str]] = {}
    checked: dict[str, int | float] = {}
    for name, value in changes.items():
        setting = CATALOGUE.get(name)
        if setting is None:
            problems[name] = ["Unknown parameter."]
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems[name] = ["Must be a number."]
            continue
        if setting.is_integer and value != int(value):
            problems[name] = ["Must be a whole number."]
            continue
        if not setting.minimum <= value <= setting.maximum:
            problems[name] = [f"Must be between {setting.minimum} and {setting.maximum} "
                              f"({setting.unit})."]
            continue
        checked[name] = int(value) if setting.is_integer else float(value)
    return checked if not problems else _refuse(problems)


def _refuse(problems: dict[str, list[str]]) -> dict[str, int | float]:
    raise invalid(problems)


def change(actor: User, changes: dict[str, Any], now: dt.datetime) -> list[dict[str, Any]]:
    """Set some parameters (the others keep their value); every family is re-analysed soon.

    Refuses (422, naming each parameter) unknown names, values out of range, and a
    trend window whose shortest stretch is longer than its longest.
    """
    checked = _check(changes)
    merged = {**current_values(), **checked}
    if merged["trend_min_weeks"] > merged["trend_max_weeks"]:
        raise invalid({"trend_min_weeks": ["Cannot be more than trend_max_weeks."]})
    before = current_values()
    for name, value in checked.items():
        if name == scale.CONCERN_LEVEL_SETTING:
            concern_level.set_concern_level(int(value), now, actor.id)
        else:
            store(name, value, now, actor.id)
    changed = {name: value for name, value in checked.items() if before[name] != value}
    if changed.keys() & ANALYSIS_NAMES:
        # New thresholds can change any family's flags: make every family due now.
        db.session.execute(update(FamilyEngineState).values(next_due_at=now))
    if changed:
        record(actor_of(actor), CHANGE_ACTION, basis="administrator",
               target_type="engine_parameters",
               detail={name: {"from": before[name], "to": value}
                       for name, value in changed.items()})
    return describe()
