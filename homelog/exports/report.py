"""What a family summary says: the report the renderers (PDF, HTML, CSV) only lay out, and
the words for its statuses and trends. gather.py fills it from the other features, once.

A period is a range of the partnership's calendar dates, both ends included. Only the
visits in force count (an amended visit is replaced by its amendment, which says so);
flags count if they were open at any time in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from homelog.core.time import local_zone, start_of_day
from homelog.engine.steps.analysis import FATHER_OR_PARTNER
from homelog.rubric.agreements import Step
from homelog.rubric.scale import Band, band_of

PRESENT_LABELS = {
    "mother": "mother",
    FATHER_OR_PARTNER: "father or partner",
    "other_adult": "another adult",
    "children_seen": "children seen",
}
EVENT_LABELS = {
    "police_callout": "Police call-out",
    "gp_information": "Information from the GP",
    "hospital_contact": "Hospital contact",
    "school_information": "Information from school",
    "housing_information": "Information from housing",
    "other": "Other information",
}
PLAN_LABELS = {
    "neglect": "Child protection plan: neglect",
    "physical_abuse": "Child protection plan: physical abuse",
    "emotional_abuse": "Child protection plan: emotional abuse",
    "sexual_abuse": "Child protection plan: sexual abuse",
    "multiple": "Child protection plan: more than one category",
}
GOOD_ENOUGH, BORDERLINE, CONCERN, NOT_SCORED = "good enough", "borderline", "concern", "not scored"


@dataclass(frozen=True)
class Period:
    """Calendar dates in the partnership's zone, both included."""

    start: dt.date
    end: dt.date

    def instants(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as UTC instants: from the start day's midnight to the day after the end."""
        zone = local_zone()
        return start_of_day(self.start, zone), start_of_day(self.end.toordinal() + 1, zone)


@dataclass(frozen=True)
class VisitRow:
    id: int
    at: dt.datetime
    agency: str
    author: str
    role: str
    announced: bool
    present: list[str]
    rooms_seen: list[str]
    scores: dict[str, int | None]
    concerns: list[str]
    notes: str
    child_presentation: str
    supersedes_id: int | None
    amendment_reason: str | None


@dataclass(frozen=True)
class EventRow:
    id: int
    at: dt.datetime
    kind: str
    summary: str
    source: str
    agency: str
    author: str
    role: str


@dataclass(frozen=True)
class DomainGlance:
    key: str
    name: str
    agreed_level: int
    agreed_words: str
    latest: int | None
    worst: int | None
    trend: str
    status: str


@dataclass(frozen=True)
class FlagItem:
    raised_on: dt.date
    severity: str
    state: str
    domains: list[str]
    explanation: str
    responses: list[str]


@dataclass(frozen=True)
class ChartPoint:
    at: dt.datetime
    score: int
    announced: bool


@dataclass(frozen=True)
class DomainSeries:
    key: str
    name: str
    agreed_level: int
    points: list[ChartPoint]
    median: list[tuple[dt.datetime, float]]


@dataclass(frozen=True)
class AgencyCoverage:
    name: str
    visits: int
    unannounced: int
    in_core_group: bool


@dataclass(frozen=True)
class Coverage:
    visits: int
    unannounced: int
    agencies: list[AgencyCoverage]
    rooms_never_seen: list[str]
    father_or_partner_seen: int
    father_or_partner_last_seen: dt.date | None


@dataclass(frozen=True)
class PhotoShot:
    photo_id: int
    taken_on: dt.date
    agency: str
    room: str | None


@dataclass(frozen=True)
class PhotoPair:
    domain: str
    earliest: PhotoShot
    latest: PhotoShot | None  # None when the period has one photo of the domain


@dataclass(frozen=True)
class ConcernItem:
    """One of the family's concerns as it stands when the summary is made."""

    title: str
    severity: str
    state: str
    sentence: str


@dataclass
class SummaryReport:
    family_id: int
    reference: str
    children: list[str]
    plan: str
    plan_started_on: dt.date
    opened_on: dt.date
    period: Period
    generated_by: str
    generated_at: dt.datetime
    domains: dict[str, str]  # key -> name, in the rubric's order
    concern_level: int
    glance: list[DomainGlance] = field(default_factory=list)
    flags: list[FlagItem] = field(default_factory=list)
    series: list[DomainSeries] = field(default_factory=list)
    visits: list[VisitRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    coverage: Coverage | None = None
    photos: list[PhotoPair] = field(default_factory=list)
    # The picture and the open concerns now (not for the period): what the reader acts on.
    picture: list[str] = field(default_factory=list)
    concerns: list[ConcernItem] = field(default_factory=list)
    # The agreed levels over time: each visit is read against the level then in force.
    agreed_steps: list[Step] = field(default_factory=list)

    def timeline(self) -> list[VisitRow | EventRow]:
        """Visits and events together, oldest first."""
        return sorted([*self.visits, *self.events], key=lambda item: (item.at, item.id))


# --- small pure helpers ------------------------------------------------------------------------

def age_in_words(born: dt.date, on: dt.date) -> str:
    """A child's age as people say it: "3 weeks", "7 months", "2 years 4 months"."""
    if on < born:
        return "not yet born"
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    if months < 1:
        weeks = (on - born).days // 7
        return f"{weeks} week{'s' * (weeks != 1)}" if weeks else "under a week"
    years, months = divmod(months, 12)
    parts = ([f"{years} year{'s' * (years != 1)}"] if years else []) + (
        [f"{months} month{'s' * (months != 1)}"] if months else [])
    return " ".join(parts)


_STATUS_WORDS = {Band.GOOD_ENOUGH: GOOD_ENOUGH, Band.BORDERLINE: BORDERLINE,
                 Band.CONCERN: CONCERN}


def status_of(score: int | None, agreed: int, concern_level: int) -> str:
    """Good enough (at or better than agreed), concern (at the concern level or worse), or
    borderline (between), as the scale bands them; "not scored" for a domain not seen."""
    if score is None:
        return NOT_SCORED
    return _STATUS_WORDS[band_of(score, agreed, concern_level)]


def trend_of(medians: list[float]) -> str:
    """Which way the rolling median moved over the period (1 is best, so down is better)."""
    if len(medians) < 3:
        return "too few scores to tell"
    change = medians[-1] - medians[0]
    if change <= -0.5:
        return "improving"
    if change >= 0.5:
        return "worsening"
    return "no clear change"
