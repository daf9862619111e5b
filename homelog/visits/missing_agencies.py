"""Agencies that have visited a family lately but have nobody in its core group: the app
points them out, so that whoever runs the group can ask them to join (their flags and the
digest go to core-group members only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from homelog.accounts.models import Agency
from homelog.core.time import local_today, local_zone, start_of_day
from homelog.extensions import db
from homelog.families.services import core_group_agency_ids
from homelog.visits.models import Visit

#: "Lately": the last 90 calendar days in the partnership's zone (the window to today
#: starts on the day today - 90; see core.time.calendar_day).
WINDOW_DAYS = 90


def missing_agencies(family_id: int) -> list[dict[str, Any]]:
    """Agencies with visits to the family in the last 90 days and nobody in its core group,
    each with how many visits and the latest, by agency name."""
    since = start_of_day(local_today().toordinal() - WINDOW_DAYS, local_zone())
    rows = db.session.execute(
        select(Agency.id, Agency.name, func.count(Visit.id), func.max(Visit.visited_at))
        .join(Visit, Visit.agency_id == Agency.id)
        .where(Visit.family_id == family_id, Visit.visited_at >= since,
               Visit.supersedes_id.is_(None))
        .group_by(Agency.id, Agency.name)
        .order_by(Agency.name)
    ).all()
    present = core_group_agency_ids(family_id)
    return [{"agency": {"id": agency_id, "name": name}, "visits": count, "last_visit_at": last}
            for agency_id, name, count, last in rows if agency_id not in present]
