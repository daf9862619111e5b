"""Gathering a family summary: read once from the other features (visits, events, flags and
concerns, trends, coverage, photos) into the SummaryReport the renderers lay out.

A period is a range of the partnership's calendar dates, both ends included. Only the
visits in force count (an amended visit is replaced by its amendment, which says so);
flags count if they were open at any time in the period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import aliased, selectinload

from homelog.accounts.models import PROFESSION_LABELS, Agency, Profession, User
from homelog.core.errors import ApiError
from homelog.core.time import local_date
from homelog.engine import flags as engine_flags
from homelog.engine.concerns_service import family_concerns
from homelog.engine.models import Flag
from homelog.engine.steps.analysis import FATHER_OR_PARTNER
from homelog.engine.trends import family_trends
from homelog.exports.report import (
    EVENT_LABELS,
    PLAN_LABELS,
    PRESENT_LABELS,
    AgencyCoverage,
    ChartPoint,
    ConcernItem,
    Coverage,
    DomainGlance,
    DomainSeries,
    EventRow,
    FlagItem,
    Period,
    PhotoPair,
    PhotoShot,
    SummaryReport,
    VisitRow,
    age_in_words,
    status_of,
    trend_of,
)
from homelog.extensions import db
from homelog.families.models import Family
from homelog.families.services import core_group
from homelog.photos.models import THUMB, Photo
from homelog.photos.services import photo_content
from homelog.rubric.agreements import family_steps
from homelog.rubric.concern_level import concern_level
from homelog.rubric.mapping import carry_scores
from homelog.rubric.services import Rubric, current_rubric
from homelog.rubric.versions import carried_sources
from homelog.visits.models import Event, Visit

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
