"""What a family summary says, gathered once from the other features and handed to the
renderers (PDF, HTML, CSV), which only lay it out.

A period is a range of the partnership's calendar dates, both ends included. Only the
visits in force count (an amended visit is replaced by its amendment, which says so);
flags count if they were open at any time in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import aliased, selectinload

from homelog.accounts.models import PROFESSION_LABELS, Agency, Profession, User
from homelog.core.errors import ApiError
from homelog.core.time import local_date, local_zone, start_of_day
from homelog.engine import flags as engine_flags
from homelog.engine.concerns_service import family_concerns
from homelog.engine.models import Flag
from homelog.engine.steps.analysis import FATHER_OR_PARTNER
from homelog.engine.trends import family_trends
from homelog.extensions import db
from homelog.families.models import Family
from homelog.families.services import core_group
from homelog.photos.models import THUMB, Photo
from homelog.photos.services import photo_content
from homelog.rubric.agreements import Step, family_steps
from homelog.rubric.concern_level import concern_level
from homelog.rubric.mapping import carry_scores
from homelog.rubric.scale import Band, band_of
from homelog.rubric.services import Rubric, current_rubric
from homelog.rubric.versions import carried_sources
from homelog.visits.models import Event, Visit

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


# --- reading ----------------------------------------------------------------------------------

_later = aliased(Visit)


def _visits_query() -> Select[Any]:
    return (
        select(Visit.id, Visit.visited_at, Visit.announced, Visit.present, Visit.rooms_seen,
               Visit.scores, Visit.concerns, Visit.notes, Visit.child_presentation,
               Visit.supersedes_id, Visit.amendment_reason, Visit.author_profession,
               Visit.rubric_version_id, User.name.label("author"),
               Agency.name.label("agency"))
        .join(User, User.id == Visit.author_id)
        .join(Agency, Agency.id == Visit.agency_id)
        .where(Visit.family_id == bindparam("family_id"),
               Visit.visited_at >= bindparam("start"), Visit.visited_at < bindparam("end"))
        .where(~select(_later.id).where(_later.supersedes_id == Visit.id).exists())
        .order_by(Visit.visited_at, Visit.id)
    )


_VISITS = _visits_query()
_EVENTS = (
    select(Event.id, Event.occurred_at, Event.kind, Event.summary, Event.source,
           Event.author_profession, User.name.label("author"), Agency.name.label("agency"))
    .join(User, User.id == Event.recorded_by_id)
    .join(Agency, Agency.id == Event.agency_id)
    .where(Event.family_id == bindparam("family_id"),
           Event.occurred_at >= bindparam("start"), Event.occurred_at < bindparam("end"))
    .order_by(Event.occurred_at, Event.id)
)


def _role(profession: str) -> str:
    return PROFESSION_LABELS[Profession(profession)]


def period_visits(family_id: int, period: Period, rubric: Rubric) -> list[VisitRow]:
    """The visits in force in the period, oldest first, with people's words for lists and
    each visit's scores under the current rubric's domains (carried through any rename,
    split or merge since it was scored, as the charts and the engine read them)."""
    start, end = period.instants()
    rows = db.session.execute(_VISITS, {"family_id": family_id, "start": start, "end": end})
    sources = carried_sources(rubric)
    return [
        VisitRow(
            id=row.id, at=row.visited_at, agency=row.agency, author=row.author,
            role=_role(row.author_profession), announced=row.announced,
            present=[PRESENT_LABELS.get(key, key) for key in row.present],
            rooms_seen=[rubric.rooms.get(key, {}).get("label", key) for key in row.rooms_seen],
            scores=(carry_scores(row.scores, sources[row.rubric_version_id])
                    if row.rubric_version_id in sources else dict(row.scores)),
            concerns=[rubric.concerns.get(key, {}).get("label", key) for key in row.concerns],
            notes=row.notes, child_presentation=row.child_presentation,
            supersedes_id=row.supersedes_id, amendment_reason=row.amendment_reason,
        )
        for row in rows
    ]


def period_events(family_id: int, period: Period) -> list[EventRow]:
    """Events (police call-outs, GP information...) in the period, oldest first."""
    start, end = period.instants()
    rows = db.session.execute(_EVENTS, {"family_id": family_id, "start": start, "end": end})
    return [EventRow(id=row.id, at=row.occurred_at, kind=EVENT_LABELS.get(row.kind, row.kind),
                     summary=row.summary, source=row.source, agency=row.agency,
                     author=row.author, role=_role(row.author_profession))
            for row in rows]


def _day(at: dt.datetime) -> str:
    return f"{local_date(at):%d %b %Y}"


def flag_responses(flag: dict[str, Any]) -> list[str]:
    """What the core group recorded about a flag (as engine.flags describes it), in order."""
    responses = []
    acknowledgement, closure = flag["acknowledgement"], flag["closure"]
    if acknowledgement:
        responses.append(f"{_day(acknowledgement['at'])}, {acknowledgement['by']['name']}: "
                         f"{acknowledgement['response']}")
    if closure is None:
        return responses
    if closure["by"] is None:
        responses.append(f"Closed {_day(closure['at'])}: no longer true.")
    elif closure["note"] and closure["note"] != (acknowledgement or {}).get("response"):
        responses.append(f"Closed {_day(closure['at'])}, {closure['by']['name']}: "
                         f"{closure['note']}")
    else:
        responses.append(f"Closed {_day(closure['at'])} by {closure['by']['name']}.")
    return responses


def _period_flags(family_id: int, period: Period) -> list[FlagItem]:
    start, end = period.instants()
    flags = list(db.session.execute(
        select(Flag)
        .where(Flag.family_id == family_id, Flag.became_true_at < end,
               or_(Flag.closed_at.is_(None), Flag.closed_at >= start))
        .order_by(Flag.became_true_at, Flag.id)
    ).scalars())
    return [FlagItem(raised_on=local_date(flag["became_true_at"]), severity=flag["severity"],
                     state=flag["state"], domains=[domain["name"] for domain in flag["domains"]],
                     explanation=flag["explanation"], responses=flag_responses(flag))
            for flag in engine_flags.describe_flags(flags)]


def _series_and_glance(report: SummaryReport, rubric: Rubric) -> None:
    start, end = report.period.instants()
    trends = family_trends(report.family_id, end - dt.timedelta(microseconds=1))
    for domain in trends["domains"]:
        points = [ChartPoint(point["at"], point["score"], point["announced"])
                  for point in domain["points"] if point["at"] >= start]
        median = [(item["at"], item["value"]) for item in domain["rolling_median"]
                  if item["at"] >= start]
        agreed = domain["agreed_level"]
        report.series.append(DomainSeries(domain["key"], domain["name"], agreed, points, median))
        scores = [point.score for point in points]
        latest = scores[-1] if scores else None
        report.glance.append(DomainGlance(
            key=domain["key"], name=domain["name"], agreed_level=agreed,
            agreed_words=rubric.descriptor(domain["key"], agreed)
            if domain["key"] in rubric.domains else "",
            latest=latest, worst=max(scores) if scores else None,
            trend=trend_of([value for _, value in median]),
            status=status_of(latest, agreed, report.concern_level)))


def _coverage(family_id: int, visits: list[VisitRow], rubric: Rubric) -> Coverage:
    counts: dict[str, list[int]] = {}
    for visit in visits:
        tally = counts.setdefault(visit.agency, [0, 0])
        tally[0] += 1
        tally[1] += not visit.announced
    members = {entry.agency.name for entry in core_group(family_id) if entry.user.active}
    agencies = [AgencyCoverage(name, *counts.get(name, [0, 0]), in_core_group=name in members)
                for name in sorted(members | set(counts))]
    seen = {room for visit in visits for room in visit.rooms_seen}
    father = [visit for visit in visits if PRESENT_LABELS[FATHER_OR_PARTNER] in visit.present]
    return Coverage(
        visits=len(visits),
        unannounced=sum(not visit.announced for visit in visits),
        agencies=agencies,
        rooms_never_seen=[room["label"] for room in rubric.rooms.values()
                          if room["label"] not in seen],
        father_or_partner_seen=len(father),
        father_or_partner_last_seen=local_date(father[-1].at) if father else None,
    )


def _photo_pairs(family_id: int, period: Period, domains: dict[str, str]) -> list[PhotoPair]:
    start, end = period.instants()
    rows = db.session.execute(
        select(Photo.id, Photo.domain_key, Photo.room, Visit.visited_at,
               Agency.name.label("agency"))
        .join(Visit, Visit.id == Photo.visit_id)
        .join(Agency, Agency.id == Photo.agency_id)
        .where(and_(Photo.family_id == family_id, Visit.visited_at >= start,
                    Visit.visited_at < end))
        .order_by(Visit.visited_at, Photo.id)
    ).all()
    by_domain: dict[str, list[PhotoShot]] = {}
    for row in rows:
        by_domain.setdefault(row.domain_key, []).append(
            PhotoShot(row.id, local_date(row.visited_at), row.agency, row.room))
    return [PhotoPair(domains.get(key, key), shots[0], shots[-1] if len(shots) > 1 else None)
            for key in [*domains, *sorted(set(by_domain) - set(domains))]
            if (shots := by_domain.get(key))]


def build_summary(family_id: int, period: Period, generated_by: str,
                  generated_at: dt.datetime) -> SummaryReport:
    """Everything the summary shows for one family and period (the caller checked access)."""
    family = db.session.get_one(Family, family_id)
    rubric = current_rubric()
    today = local_date(generated_at)
    report = SummaryReport(
        family_id=family_id, reference=family.reference,
        children=[f"{child.initials}, {age_in_words(child.date_of_birth, today)}"
                  for child in family.children],
        plan=PLAN_LABELS.get(family.plan_category, family.plan_category),
        plan_started_on=family.plan_started_on, opened_on=family.opened_on,
        period=period, generated_by=generated_by, generated_at=generated_at,
        domains={key: domain["name"] for key, domain in rubric.domains.items()},
        concern_level=concern_level(),
    )
    report.agreed_steps = family_steps(family_id, rubric)
    report.visits = period_visits(family_id, period, rubric)
    report.events = period_events(family_id, period)
    report.flags = _period_flags(family_id, period)
    _series_and_glance(report, rubric)
    report.coverage = _coverage(family_id, report.visits, rubric)
    report.photos = _photo_pairs(family_id, period, report.domains)
    now = family_concerns(family_id)
    report.picture = now["picture"]
    report.concerns = [ConcernItem(concern["title"], concern["severity"], concern["state"],
                                   concern["sentence"]) for concern in now["concerns"]]
    return report


def photo_thumbnails(photo_ids: list[int]) -> dict[int, bytes]:
    """The stored thumbnails (WebP) of these photos, each checked against its recorded hash.

    The thumbnail, not the display rendition: it is what a printed page needs, and keeps
    the file small. A photo whose file is missing or damaged is left out (and logged by
    the photos feature), so one bad file does not stop the whole summary.
    """
    photos = db.session.execute(
        select(Photo).where(Photo.id.in_(photo_ids)).options(selectinload(Photo.files))
    ).scalars()
    found = {}
    for photo in photos:
        try:
            found[photo.id] = photo_content(photo, THUMB).data
        except ApiError:
            continue
    return found
