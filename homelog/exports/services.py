"""Exports of a family's record: who may, for which period, and the audit entry each leaves.

Every export needs the core group (others get 404) and a recent sign-in (403
`reauthentication_required` otherwise), and is recorded in the audit trail with the
period, the format, who made it and the SHA-256 of the exact bytes handed over, so a
printed copy found later can be matched to the entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from homelog.accounts.models import User
from homelog.accounts.reauth import require_recent_sign_in
from homelog.accounts.services import LiveSession, actor_of
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid
from homelog.core.time import local_today, utcnow
from homelog.exports import csv_files
from homelog.exports.agreement_pdf import AgreedDomain, ParentsCopy, agreement_pdf
from homelog.exports.gather import build_summary, period_visits, photo_thumbnails
from homelog.exports.report import Period
from homelog.exports.summary_pdf import summary_pdf
from homelog.extensions import db
from homelog.families.models import Family
from homelog.families.services import FamilyAccess, open_family
from homelog.rubric.agreements import family_steps, level_on
from homelog.rubric.concern_level import concern_level
from homelog.rubric.models import AgreementRevision
from homelog.rubric.services import current_rubric, rubric_by_id

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    filename: str
    content_type: str


# An export made for one family and period: summary_pdf_export, summary_csv_export, ...
PeriodExport = Callable[[User, FamilyAccess, Period], ExportFile]


def open_for_export(user: User, session: LiveSession, family_id: int) -> FamilyAccess:
    """The family, if the user is in its core group (404) and signed in recently (403)."""
    access = open_family(user, family_id, None)  # the export's own entry records the access
    require_recent_sign_in(session)
    return access


def choose_period(family_id: int, start: dt.date | None, end: dt.date | None) -> Period:
    """The period asked for; by default from the plan's start to today. 422 names the field."""
    today = local_today()
    end = end or today
    if start is None:
        start = db.session.execute(
            select(Family.plan_started_on).where(Family.id == family_id)).scalar_one()
        start = max(min(start, end), EARLIEST)
    problems: dict[str, list[str]] = {}
    if end > today:
        problems["to"] = ["The period cannot end after today."]
    if start < EARLIEST:
        problems["from"] = [f"The period cannot start before {EARLIEST.isoformat()}."]
    elif start > end:
        problems["from"] = ["The start of the period must be on or before its end."]
    if problems:
        raise invalid(problems)
    return Period(start, end)


def _slug(reference: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", reference).strip("-")[:40] or "family"


def _filename(reference: str, what: str, period: Period | None, extension: str) -> str:
    dates = f"-{period.start.isoformat()}-to-{period.end.isoformat()}" if period else ""
    return f"homelog-{_slug(reference)}-{what}{dates}.{extension}"


def _audited(user: User, access: FamilyAccess, export: ExportFile, what: str, fmt: str,
             period: Period | None) -> ExportFile:
    record(actor_of(user), "family.export", basis=access.basis, family_id=access.family_id,
           target_type="family", target_id=access.family_id,
           detail={"export": what, "format": fmt,
                   "from": period.start.isoformat() if period else None,
                   "to": period.end.isoformat() if period else None,
                   "sha256": hashlib.sha256(export.data).hexdigest(),
                   "bytes": len(export.data)})
    return export


def _described(user: User) -> str:
    return f"{user.name}, {user.profession_label}, {user.agency.name}"


def summary_pdf_export(user: User, access: FamilyAccess, period: Period) -> ExportFile:
    """The core group summary for a period, as PDF; audited."""
    report = build_summary(access.family_id, period, _described(user), utcnow())
    shown = [shot.photo_id for pair in report.photos
             for shot in (pair.earliest, pair.latest) if shot is not None]
    data = summary_pdf(report, photo_thumbnails(shown))
    export = ExportFile(data, _filename(report.reference, "summary", period, "pdf"), PDF)
    return _audited(user, access, export, "summary", "pdf", period)


def _reference(family_id: int) -> str:
    return db.session.execute(
        select(Family.reference).where(Family.id == family_id)).scalar_one()


def summary_csv_export(user: User, access: FamilyAccess, period: Period) -> ExportFile:
    """Scores in long format (one row per visit and domain) for a period; audited."""
    rubric = current_rubric()
    reference = _reference(access.family_id)
    domains = {key: domain["name"] for key, domain in rubric.domains.items()}
    steps = family_steps(access.family_id, rubric)
    rows = csv_files.summary_rows(
        reference, period_visits(access.family_id, period, rubric), domains,
        lambda key, day: level_on(steps, day, key, 0) or None,  # the level in force that day
        concern_level())
    data = csv_files.write_csv(csv_files.SUMMARY_HEADER, rows)
    export = ExportFile(data, _filename(reference, "scores", period, "csv"), CSV)
    return _audited(user, access, export, "summary", "csv", period)


def visits_csv_export(user: User, access: FamilyAccess, period: Period) -> ExportFile:
    """One row per visit in force in the period, with its notes; audited."""
    rubric = current_rubric()
    reference = _reference(access.family_id)
    domains = {key: domain["name"] for key, domain in rubric.domains.items()}
    rows = csv_files.visits_rows(
        reference, period_visits(access.family_id, period, rubric), domains)
    data = csv_files.write_csv(csv_files.visits_header(domains), rows)
    export = ExportFile(data, _filename(reference, "visits", period, "csv"), CSV)
    return _audited(user, access, export, "visits", "csv", period)


def parents_copy(family_id: int) -> ParentsCopy:
    """The current agreement in the words given to parents (409 if none is recorded)."""
    revision = db.session.execute(
        select(AgreementRevision).where(AgreementRevision.family_id == family_id)
        .order_by(AgreementRevision.revision.desc()).limit(1)
    ).scalar_one_or_none()
    if revision is None:
        raise ApiError(409, "no_agreement",
                       "No agreement has been recorded for this family yet, so there is "
                       "nothing to give the parents.")
    rubric = rubric_by_id(revision.rubric_version_id)
    writer = db.session.get_one(User, revision.recorded_by_id)
    return ParentsCopy(
        reference=_reference(family_id), agreed_on=revision.agreed_on,
        written_by=_described(writer), shared_on=revision.shared_with_parents_on,
        attendees=tuple(revision.attendees or ()),
        domains=[AgreedDomain(key, domain["name"],
                              rubric.descriptor(key, revision.levels[key]))
                 for key, domain in rubric.domains.items() if key in revision.levels],
    )


def agreement_pdf_export(user: User, access: FamilyAccess) -> ExportFile:
    """The parents' copy of the current agreement, as PDF; audited."""
    copy = parents_copy(access.family_id)
    export = ExportFile(agreement_pdf(copy),
                        _filename(copy.reference, "agreement-parents-copy", None, "pdf"), PDF)
    return _audited(user, access, export, "agreement", "pdf", None)
