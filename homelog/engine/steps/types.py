"""The analysis interface: facts and parameters in, findings and metrics out.

`homelog.engine.steps.analysis` re-exports every name here; import them from there. They live in
their own module so that the rule modules (`homelog.engine.steps.rules`) and the entry points can
both use them without an import cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from homelog.rubric.scale import CONCERN_LEVEL_DEFAULT

# What a visit's `present` holds when a father or mother's partner was there.
FATHER_OR_PARTNER = "father_or_partner"


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
    SUSTAINED_IMPROVEMENT = "sustained_improvement"  # good news: an earlier concern has lasted away
    EARLY_ANNOUNCED_GAP = "early_announced_gap"  # early signs: rule 5 on one or two visits,
    FIRST_VISIT_CONTRADICTS = "first_visit_contradicts"  # an agency's first visit against all


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
    agreed_levels: dict[str, int]        # domain key -> expected level now (agreement or default)
    domain_names: dict[str, str]         # domain key -> "Kitchen and food hygiene"
    concern_labels: dict[str, str]       # concern key -> "Unsafe sleep"
    safe_sleep_concerns: frozenset[str]  # concern keys whose flags never close by themselves
    room_labels: dict[str, str]          # room key -> "Kitchen"
    core_group_agencies: dict[int, str]  # agency id -> name, for agencies in the core group
    visits: tuple[VisitFact, ...]        # in visited_at order (sorted again if not)
    # The partnership's zone: the dates in sentences ("8 Jul") are local dates, and a family
    # opened "on 8 Jul" was opened at local midnight. None: each instant's own zone, UTC for dates.
    local_zone: dt.tzinfo | None = None
    # The agreed levels over time, oldest first: (the local date from which, levels), the
    # first from None (before any agreement: the rubric's defaults). A visit is compared with
    # the levels in force on its local date. Empty: `agreed_levels` all along.
    agreed_steps: tuple[tuple[dt.date | None, dict[str, int]], ...] = ()


@dataclass(frozen=True)
class Parameters:
    """Every threshold, with the defaults of product.md; a partnership may change any.

    The fields after `sustained_min_days` are the engine's own choices where product.md gives
    no figure; each says why it has its default.
    """

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
    # The partnership's concern level (rubric/scale.py); between the agreed level and this
    # is borderline.
    concern_level: int = CONCERN_LEVEL_DEFAULT
    # Announced gap: at least this many visits of each kind in the window, and a domain counts
    # only with this many scores of each kind, so one bad unannounced visit is not a "pattern".
    announced_gap_min_visits: int = 3
    announced_gap_min_scores: int = 2
    # Worsening trend: each weekly point is the median of the scores in the 14 days up to it,
    # so a single bad visit moves it little; a slope needs at least 6 weekly points.
    trend_median_days: int = 14
    trend_min_points: int = 6
    # Rooms never seen / father or partner never seen: judged once this many visits are
    # recorded. Five visits is about two weeks of a core group's visiting; by then every room
    # should have been looked at and the adults in the home met.
    rooms_min_visits: int = 5
    father_min_visits: int = 5
    # Early signs (rules/early_signs.py): the first unannounced visits, or an agency's first
    # visit, this many levels away from at least this many others is said at once as a low
    # note. 1.5 levels is half again rule 5's gap: one visit must differ clearly to count.
    early_sign_min_levels: float = 1.5
    early_sign_min_visits: int = 3
    early_sign_window_days: int = 28


@dataclass(frozen=True)
class Finding:
    """Something the engine noticed, with its evidence and a sentence a practitioner understands.

    `key` names the flag across runs; `became_true_at` dates this occurrence of it. While a
    finding stays true its key and became_true_at do not change (its evidence, sentence and,
    for a few kinds, severity may grow); if it stops being true and later comes back, it comes
    back with the same key and a later became_true_at: a new occurrence.
    """

    kind: FlagKind
    severity: Severity
    key: str                              # identity of "the same flag" across runs
    domains: tuple[str, ...]
    evidence_visit_ids: tuple[int, ...]
    became_true_at: dt.datetime           # the visit (or due time) that made it true
    explanation: str
    safe_sleep: bool = False              # never closes by itself
    # Agencies the flag is about besides the whole core group: both agencies of a
    # disagreement (each gets the reconciliation prompt), the silent agency of a coverage gap.
    agency_ids: tuple[int, ...] = ()
    # The same finding in a few words, to be joined with others into a concern's sentence:
    # no domain name for a one-domain finding (the concern names it), no full stop.
    phrase: str = ""


@dataclass(frozen=True)
class SustainedImprovement:
    """A domain back at or better than the agreed level, for long enough to count."""

    domain: str
    since: dt.datetime                    # the first good-enough visit of the run
    visits: int                           # good-enough visits in the run, so far
    days: int                             # from the first to the latest of them
    unannounced: int                      # how many of them were unannounced
    evidence_visit_ids: tuple[int, ...]


@dataclass(frozen=True)
class FamilyMetrics:
    crossings_90_days: dict[str, int] = field(default_factory=dict)
    announced_gap: float | None = None    # mean unannounced - mean announced (positive = worse)
    days_at_concern_since_plan: int = 0
    days_since_last_visit: int | None = None
    days_since_last_unannounced: int | None = None
    days_since_agency_visit: dict[int, int | None] = field(default_factory=dict)
    # Domains that were once worse than the agreed level: True when the good-enough run since
    # then counts as sustained. Domains never worse than agreed are left out.
    sustained_improvement: dict[str, bool] = field(default_factory=dict)
    days_at_concern_by_domain: dict[str, int] = field(default_factory=dict)
    sustained: dict[str, SustainedImprovement] = field(default_factory=dict)
