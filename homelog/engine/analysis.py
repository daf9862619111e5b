"""Pure analysis: a family's facts and the partnership's parameters in, findings out.

Nothing here touches the database, the clock or the app: `as_of` is passed in, so a
history can be replayed visit by visit and give the same answers as analysing it at
once. Scores run 1 (best) to 5 (worst); "good enough" is at or better than the
family's agreed level (default 2); 3 is borderline; 4-5 is a concern.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class FlagKind(StrEnum):
    BELOW_AGREED = "below_agreed"                # rule 1
    SWING = "swing"                              # rule 2
    NOT_SUSTAINED = "not_sustained"              # rule 3
    AGENCIES_DISAGREE = "agencies_disagree"      # rule 4
    ANNOUNCED_GAP = "announced_gap"              # rule 5
    WORSENING_TREND = "worsening_trend"          # rule 6
    IMMEDIATE_CONCERN = "immediate_concern"      # rule 7
    NO_RECENT_VISIT = "no_recent_visit"          # rule 8 (coverage gaps)
    NO_RECENT_UNANNOUNCED = "no_recent_unannounced"
    AGENCY_NOT_VISITED = "agency_not_visited"
    ROOM_NEVER_SEEN = "room_never_seen"
    FATHER_NEVER_SEEN = "father_never_seen"
    BORDERLINE = "borderline"                    # an isolated 3: a low note for the digest


class Severity(StrEnum):
    LOW = "low"          # digest only
    MEDIUM = "medium"    # digest, shown on the family page
    HIGH = "high"        # digest, escalates if not acknowledged
    IMMEDIATE = "immediate"  # sent at once (immediate concerns)


@dataclass(frozen=True)
class VisitFact:
    """One effective visit (an amended visit is replaced by its latest amendment)."""

    id: int
    visited_at: dt.datetime              # timezone-aware
    agency_id: int
    agency_name: str
    announced: bool
    scores: dict[str, int | None]        # domain key -> 1..5, None = not seen
    concerns: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    rooms_seen: tuple[str, ...] = ()


@dataclass(frozen=True)
class FamilyFacts:
    family_id: int
    opened_on: dt.date
    plan_started_on: dt.date
    agreed_levels: dict[str, int]        # domain key -> expected level (agreement or default)
    domain_names: dict[str, str]         # domain key -> "Kitchen and food hygiene"
    concern_labels: dict[str, str]       # concern key -> "Unsafe sleep"
    safe_sleep_concerns: frozenset[str]  # concern keys whose flags never close by themselves
    room_labels: dict[str, str]          # room key -> "Kitchen"
    core_group_agencies: dict[int, str]  # agency id -> name, for agencies in the core group
    visits: tuple[VisitFact, ...]        # in visited_at order


@dataclass(frozen=True)
class Parameters:
    """Every threshold, with the defaults of product.md; a partnership may change any."""

    swing_window_days: int = 7
    swing_min_levels: int = 2
    crossings_window_days: int = 90
    crossings_min: int = 3
    disagreement_window_hours: int = 48
    disagreement_min_levels: int = 2
    announced_gap_window_days: int = 90
    announced_gap_min_levels: float = 1.0
    trend_min_weeks: int = 8
    trend_max_weeks: int = 12
    trend_slope_per_week: float = 0.15   # rolling-median levels per week, worse = positive
    no_visit_days: int = 14
    no_unannounced_days: int = 28
    agency_silent_days: int = 28
    sustained_min_visits: int = 3
    sustained_min_days: int = 28


@dataclass(frozen=True)
class Finding:
    """Something the engine noticed, with its evidence and a sentence a practitioner understands."""

    kind: FlagKind
    severity: Severity
    key: str                              # identity of "the same flag" across runs
    domains: tuple[str, ...]
    evidence_visit_ids: tuple[int, ...]
    became_true_at: dt.datetime           # the visit (or due time) that made it true
    explanation: str
    safe_sleep: bool = False              # never closes by itself


@dataclass(frozen=True)
class FamilyMetrics:
    crossings_90_days: dict[str, int] = field(default_factory=dict)
    announced_gap: float | None = None    # mean unannounced - mean announced (positive = worse)
    days_at_concern_since_plan: int = 0
    days_since_last_visit: int | None = None
    days_since_last_unannounced: int | None = None
    days_since_agency_visit: dict[int, int | None] = field(default_factory=dict)
    sustained_improvement: dict[str, bool] = field(default_factory=dict)


def analyse(facts: FamilyFacts, params: Parameters, as_of: dt.datetime) -> list[Finding]:
    """Every finding true for the family as of `as_of`, considering only visits up to then."""
    raise NotImplementedError


def metrics(facts: FamilyFacts, params: Parameters, as_of: dt.datetime) -> FamilyMetrics:
    """The family-level figures shown on the family page and the trends endpoint."""
    raise NotImplementedError
