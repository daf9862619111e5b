"""Factories that create committed records through the real services, with unique names.

Each call runs in its own app context and returns plain values (ids, emails), so no
ORM object or session leaks into the requests a test makes afterwards.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask

from homelog.accounts import services as accounts
from homelog.accounts.models import Profession, Role, User
from homelog.extensions import db
from homelog.families import services as families
from homelog.rubric.services import current_rubric
from tests.support import clock
from tests.support.api_client import PASSWORD

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class UserRef:
    id: int
    email: str
    agency_id: int


@dataclass(frozen=True)
class FamilyRef:
    id: int
    reference: str
    lead: UserRef


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def agency(self, kind: str = "health") -> int:
        with self.app.app_context():
            agency = accounts.create_agency(unique("Agency"), kind)
            db.session.commit()
            return agency.id

    def user(
        self,
        role: Role = Role.PRACTITIONER,
        profession: Profession = Profession.HEALTH_VISITOR,
        agency_id: int | None = None,
        active: bool = True,
    ) -> UserRef:
        agency_id = agency_id or self.agency()
        with self.app.app_context():
            user = accounts.create_user(accounts.NewUser(
                email=f"{unique(role.value)}@test.homelog.test", name=f"Test {role.value}",
                agency_id=agency_id, role=role, profession=profession, password=PASSWORD,
            ))
            user.active = active
            db.session.commit()
            return UserRef(user.id, user.email, agency_id)

    def lead(self, agency_id: int | None = None) -> UserRef:
        return self.user(Role.LEAD_SOCIAL_WORKER, Profession.SOCIAL_WORKER, agency_id)

    def family(
        self,
        lead: UserRef | None = None,
        members: tuple[UserRef, ...] = (),
        opened_on: dt.date | None = None,
    ) -> FamilyRef:
        lead = lead or self.lead()
        opened_on = opened_on or clock.today() - dt.timedelta(days=120)
        with self.app.app_context():
            current_rubric()
            lead_user = db.session.get_one(User, lead.id)
            family = families.create_family(lead_user, {
                "reference": unique("FAM"), "address": "1 Test Street",
                "children": [{"initials": "AB", "date_of_birth": dt.date(2025, 6, 1)}],
                "plan": {"category": "neglect", "started_on": opened_on},
                "opened_on": opened_on,
            })
            access = families.open_family(lead_user, family.id, "family.view")
            for member in members:
                families.add_member(lead_user, access, member.id)
            db.session.commit()
            return FamilyRef(family.id, family.reference, lead)


def visit_body(**overrides: Any) -> dict[str, Any]:
    """A valid visit: everything good enough, seen yesterday, unannounced."""
    when = clock.now() - dt.timedelta(days=1)
    body: dict[str, Any] = {
        "visited_at": when.isoformat(),
        "announced": False,
        "present": ["mother", "children_seen"],
        "rooms_seen": ["kitchen", "living_room"],
        "scores": dict.fromkeys(DOMAINS, 2),
        "concerns": [],
        "notes": "",
        "child_presentation": "Clean and dressed for the weather.",
    }
    body.update(overrides)
    return body


DOMAINS = ("kitchen", "food", "floors", "bathroom", "sleep", "hazards", "air", "warmth",
           "animals", "presentation")
