"""The one factory: committed records made through the real services, with unique names.

Each builder is named in the domain's words (`family`, `visit`, `event`, `agreement`,
`member` of a core group, `signed_in`), runs in its own app context, commits as a request
or job would, and returns plain values (ids, emails, a signed-in client), so no ORM object
or session leaks into the requests a test makes afterwards. Each test builds what it needs
and the database is put back after it (tests/support/isolation.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask

from homelog.accounts import services as accounts
from homelog.accounts.models import Profession, Role, User
from homelog.accounts.passwords import hash_password
from homelog.core.idempotency import request_fingerprint
from homelog.extensions import db
from homelog.families import services as families
from homelog.rubric.concern_level import concern_level
from homelog.rubric.scale import is_concern
from homelog.rubric.services import current_rubric, revise_agreement
from homelog.visits import services as visits
from tests.support import clock
from tests.support.api_client import PASSWORD, ApiClient

ALL_PRESENT = ("mother", "father_or_partner", "children_seen")

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

    def rubric(self) -> int:
        """The rubric version in use (the default one, loaded as the first visit would, if
        none is); returns its number."""
        with self.app.app_context():
            version = current_rubric().version
            db.session.commit()
            return version

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
                agency_id=agency_id, role=role, profession=profession,
            ))
            user.password_hash = _password_hash()
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

    def member(self, family: FamilyRef, user: UserRef) -> None:
        """Add `user` to the family's core group (as its lead social worker does)."""
        with self.app.app_context():
            lead = db.session.get_one(User, family.lead.id)
            access = families.open_family(lead, family.id, "family.view")
            families.add_member(lead, access, user.id)
            db.session.commit()

    def signed_in(self, user: UserRef | None = None, *, role: Role = Role.PRACTITIONER,
                  profession: Profession = Profession.HEALTH_VISITOR,
                  agency_id: int | None = None, address: str | None = None) -> ApiClient:
        """A client signed in as `user`, or as a new user of that role and agency; the
        person is `client.user`."""
        user = user or self.user(role, profession, agency_id)
        client = ApiClient(self.app, address)
        answer = client.sign_in(user.email)
        assert answer.status_code == 201, answer.json
        client.user = user
        return client

    def visit(
        self,
        family_id: int,
        author_id: int,
        at: dt.datetime | None = None,
        scores: dict[str, int | None] | None = None,
        *,
        announced: bool = False,
        concerns: Iterable[str] = (),
        present: Iterable[str] = ALL_PRESENT,
        rooms: Iterable[str] | None = None,
        notes: str | None = None,
        child_presentation: str = "",
    ) -> int:
        """A visit recorded as `author_id` would from a phone (yesterday unless `at`);
        every domain 2 unless given, every room seen unless given."""
        with self.app.app_context():
            rubric = current_rubric()
            all_scores: dict[str, int | None] = dict.fromkeys(DOMAINS, 2)
            all_scores.update(scores or {})
            level = concern_level()
            worrying = any(is_concern(score, level) for score in all_scores.values())
            body: dict[str, Any] = {
                "visited_at": at or clock.now() - dt.timedelta(days=1),
                "announced": announced, "present": list(present),
                "rooms_seen": list(rooms if rooms is not None else rubric.rooms),
                "scores": all_scores, "concerns": list(concerns),
                "notes": notes if notes is not None else (
                    "Seen and discussed with the family." if worrying or concerns else ""),
                "child_presentation": child_presentation, "rubric_version": None,
            }
            user = db.session.get_one(User, author_id)
            access = families.open_family(user, family_id, None)
            visit, _ = visits.record_visit(access, _submission(user, body), body)
            db.session.commit()
            return visit.id

    def amendment(self, visit_id: int, author_id: int, reason: str, **changes: Any) -> int:
        """An amendment of a visit by its author; returns the amendment's id."""
        with self.app.app_context():
            user = db.session.get_one(User, author_id)
            visit, access = visits.open_visit(user, visit_id, "visit.view")
            amendment, _ = visits.amend_visit(visit, access, _submission(user, changes),
                                              {"reason": reason, **changes})
            db.session.commit()
            return amendment.id

    def event(self, family_id: int, author_id: int, at: dt.datetime | None = None, *,
              kind: str = "gp_information", summary: str = "Missed immunisations",
              source: str = "GP surgery") -> int:
        """Information that is not a visit (two hours ago unless `at`); returns its id."""
        data = {"occurred_at": at or clock.now() - dt.timedelta(hours=2), "kind": kind,
                "summary": summary, "source": source}
        with self.app.app_context():
            user = db.session.get_one(User, author_id)
            access = families.open_family(user, family_id, None)
            event, _ = visits.record_event(access, _submission(user, data), data)
            db.session.commit()
            return event.id

    def agreement(self, family: FamilyRef, levels: dict[str, int] | None = None, *,
                  agreed_on: dt.date | None = None, **fields: Any) -> int:
        """A revision of the family's agreement by its lead (every domain 2 unless given,
        agreed 30 days ago unless `agreed_on`); returns the revision's number."""
        data: dict[str, Any] = {"agreed_on": agreed_on or clock.today() - dt.timedelta(days=30),
                                "levels": dict.fromkeys(DOMAINS, 2) | (levels or {}),
                                "note": "", **fields}
        with self.app.app_context():
            lead = db.session.get_one(User, family.lead.id)
            access = families.open_family(lead, family.id, "family.view")
            revision = revise_agreement(lead, access, data).revision
            db.session.commit()
            return revision


@cache
def _password_hash() -> str:
    """The test password's hash, made once: argon2 is slow on purpose, and every user the
    factory makes has the same password (signing in still checks it for real)."""
    return hash_password(PASSWORD)


def _submission(user: User, body: dict[str, Any]) -> visits.Submission:
    """A new submission (a fresh idempotency key) of `body` by `user`."""
    return visits.Submission(user, str(uuid.uuid4()), request_fingerprint("test", str(body)))


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


def family_body(reference: str = "REF-1", **overrides: Any) -> dict[str, Any]:
    """A valid request opening a family, as the lead's screen sends it (`Factory.family`
    opens one through the services; tests of opening a family send this)."""
    body: dict[str, Any] = {
        "reference": reference,
        "address": "2 Test Road",
        "children": [{"initials": "EF", "date_of_birth": "2025-02-03"}],
        "plan": {"category": "neglect", "started_on": "2026-06-01"},
        "opened_on": "2026-05-20",
    }
    body.update(overrides)
    return body


DOMAINS = ("kitchen", "food", "floors", "bathroom", "sleep", "hazards", "air", "warmth",
           "animals", "presentation")
