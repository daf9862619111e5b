"""Load the demo partnership through the ordinary services: they flush, the caller commits.

Everything goes through the same services the API uses, so the demo obeys every rule a
practitioner's phone does (a note for every concern, no visit before the family was opened,
the audit trail). Submissions carry idempotency keys derived from stable names, so a
replay inside one load can never duplicate a visit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from homelog.accounts.models import Agency, User
from homelog.accounts.services import NewUser, create_agency, create_user, find_user_by_email
from homelog.core.idempotency import request_fingerprint
from homelog.core.time import local_today, local_zone
from homelog.demo.partnership import (
    ADMIN_EMAIL,
    AGENCIES,
    AGREEMENT_NOTE,
    DEMO_PASSWORD,
    EVENTS,
    FAMILIES,
    LEAD,
    USERS,
    FamilySpec,
    agreed_levels,
    core_group_of,
)
from homelog.demo.photos import add_demo_photos
from homelog.demo.plan import PlannedAmendment, local_time, plan_visits
from homelog.families.models import Family
from homelog.families.services import (
    FamilyAccess,
    add_member,
    create_family,
    described,
    open_family,
)
from homelog.rubric.concern_level import concern_level
from homelog.rubric.services import Rubric, default_rubric_content, load_rubric, revise_agreement
from homelog.visits.models import Visit
from homelog.visits.services import Submission, amend_visit, record_event, record_visit

DEMO_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://demo.homelog.test/")


@dataclass(frozen=True)
class Login:
    """A demo sign-in, as printed for whoever is trying Homelog out."""

    email: str
    password: str
    role: str
    agency: str


@dataclass(frozen=True)
class DemoLoad:
    """What a load did: `created` is False when the demo was already there."""

    created: bool
    logins: list[Login]
    counts: dict[str, int] = field(default_factory=dict)


def demo_logins() -> list[Login]:
    """Every demo user's sign-in, in the order they are described."""
    return [Login(user.email, DEMO_PASSWORD, user.role.value, user.agency.name) for user in USERS]


def demo_loaded() -> bool:
    """Whether the demo partnership is already in the database (its administrator exists)."""
    return find_user_by_email(ADMIN_EMAIL) is not None


def load_demo() -> DemoLoad:
    """Load the demo partnership unless it is already loaded; the caller commits.

    Adds the agencies and users, makes the packaged rubric current, opens three families
    with their core groups and agreements, and records eight weeks of visits, an amendment
    and a few events, dated back from today.
    """
    if demo_loaded():
        # Photos came after the rest of the demo: a demo loaded before them gains them now.
        added = add_demo_photos()
        return DemoLoad(created=False, logins=demo_logins(), counts={"photos": added})
    rubric, _ = load_rubric(default_rubric_content())
    users = _create_users(_create_agencies())
    accesses = _Accesses()
    today, zone = local_today(), local_zone()
    counts: Counter[str] = Counter(agencies=len(AGENCIES), users=len(USERS))
    families: dict[str, Family] = {}
    for spec in FAMILIES:
        families[spec.reference] = _open_family(spec, users, rubric, today)
        counts["families"] += 1
        counts.update(_record_visits(spec, families[spec.reference], users, accesses,
                                     today, zone))
    counts["events"] = _record_events(families, users, accesses, today, zone)
    counts["photos"] = add_demo_photos()
    return DemoLoad(created=True, logins=demo_logins(), counts=dict(counts))


def submission_key(name: str) -> str:
    """The idempotency key of a demo submission: the same name always gives the same key."""
    return str(uuid.uuid5(DEMO_NAMESPACE, name))


# --- agencies, users, families ------------------------------------------------------------------

def _create_agencies() -> dict[str, Agency]:
    return {spec.name: create_agency(spec.name, spec.kind) for spec in AGENCIES}


def _create_users(agencies: dict[str, Agency]) -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in USERS:
        users[spec.key] = create_user(NewUser(
            email=spec.email, name=spec.name, agency_id=agencies[spec.agency.name].id,
            role=spec.role, profession=spec.profession, password=DEMO_PASSWORD,
            manager_id=users[spec.manager].id if spec.manager else None,
        ))
    return users


def _open_family(spec: FamilySpec, users: dict[str, User], rubric: Rubric,
                 today: dt.date) -> Family:
    """Create the family as the lead social worker, build its core group, record the agreement."""
    lead = users[LEAD]
    opened_on = today - dt.timedelta(days=spec.opened_days_ago)
    family = create_family(lead, {
        "reference": spec.reference,
        "address": spec.address,
        "opened_on": opened_on,
        "plan": {"category": "neglect", "started_on": opened_on},
        "children": [{"initials": child.initials,
                      "date_of_birth": today - dt.timedelta(days=child.age_days)}
                     for child in spec.children],
    })
    access = open_family(lead, family.id, "family.view")
    for key in core_group_of(spec):
        add_member(lead, access, users[key].id)
    agreed_on = opened_on + dt.timedelta(days=10)
    revise_agreement(lead, access, {
        "agreed_on": agreed_on,
        "levels": agreed_levels(spec, rubric.default_levels()),
        "note": AGREEMENT_NOTE,
        "shared_with_parents_on": agreed_on + dt.timedelta(days=1),
        # Who was at the core group meeting: the mother and everyone in the core group.
        "attendees": ["Mother", *(described(users[key]) for key in (LEAD, *core_group_of(spec)))],
    })
    return family


# --- visits and events --------------------------------------------------------------------------

class _Accesses:
    """Each practitioner opens each family once per action, as one sitting on a phone would."""

    def __init__(self) -> None:
        self._opened: dict[tuple[int, int, str], FamilyAccess] = {}

    def get(self, user: User, family_id: int, action: str) -> FamilyAccess:
        key = (user.id, family_id, action)
        if key not in self._opened:
            self._opened[key] = open_family(user, family_id, action)
        return self._opened[key]


def _submission(user: User, name: str, scope: str, body: dict[str, Any]) -> Submission:
    return Submission(user, submission_key(name), request_fingerprint(scope, body))


def _record_visits(spec: FamilySpec, family: Family, users: dict[str, User],
                   accesses: _Accesses, today: dt.date, zone: dt.tzinfo) -> Counter[str]:
    counts: Counter[str] = Counter()
    for planned in plan_visits(spec, today, zone, concern_level()):
        user = users[planned.author]
        access = accesses.get(user, family.id, "family.record_visit")
        data = planned.data()
        visit, _ = record_visit(
            access, _submission(user, planned.key_name, f"visit:{family.id}", data), data)
        counts["visits"] += 1
        if planned.amendment is not None:
            _amend(visit, access, user, planned.amendment)
            counts["amendments"] += 1
    return counts


def _amend(visit: Visit, access: FamilyAccess, user: User, amendment: PlannedAmendment) -> None:
    submission = _submission(user, amendment.key_name, f"amendment:{visit.id}", amendment.changes)
    amend_visit(visit, access, submission, amendment.changes)


def _record_events(families: dict[str, Family], users: dict[str, User], accesses: _Accesses,
                   today: dt.date, zone: dt.tzinfo) -> int:
    for spec in EVENTS:
        family, user = families[spec.reference], users[spec.author]
        data = {
            "occurred_at": local_time(today, spec.week, spec.day, *spec.time, zone),
            "kind": spec.kind, "summary": spec.summary, "source": spec.source,
        }
        name = f"{spec.reference}:event:{spec.kind}:week{spec.week}"
        access = accesses.get(user, family.id, "family.record_event")
        record_event(access, _submission(user, name, f"event:{family.id}", data), data)
    return len(EVENTS)
