"""Families to test the screens with: one seen by two agencies, recorded through the real
API on the live server's app; and the demo partnership's, loaded as `flask demo load` does."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from homelog.accounts.models import Profession, Role
from homelog.demo.partnership import WORSENING_FAMILY
from homelog.demo.services import load_demo
from homelog.engine.jobs import run_engine
from homelog.extensions import db
from homelog.families.models import Family
from tests.factories import DOMAINS, Factory, FamilyRef, UserRef, visit_body
from tests.photos.pictures import phone_jpeg, scene
from tests.support import clock
from tests.support.api_client import ApiClient


@dataclass(frozen=True)
class World:
    family: FamilyRef
    lead: UserRef                  # children's services: the lead social worker
    health_visitor: UserRef        # health visiting: another agency in the core group
    lead_agency: str
    health_agency: str
    lead_visit_id: int             # unannounced, 10 days ago, kitchen 4
    concern_visit_id: int          # the health visitor's, yesterday: no food (a flag)


def _ago(days: float) -> str:
    return (clock.now() - dt.timedelta(days=days)).isoformat()


def _client(app: Flask, user: UserRef) -> ApiClient:
    client = ApiClient(app)
    assert client.sign_in(user.email).status_code == 201
    return client


def _agency_name(client: ApiClient, agency_id: int) -> str:
    agencies = client.get("/api/v1/agencies").json
    return next(agency["name"] for agency in agencies if agency["id"] == agency_id)


def _photo(client: ApiClient, visit_id: int, seed: int) -> None:
    picture = io.BytesIO(phone_jpeg(image=scene(480, 360, seed=seed)))
    response = client.post(
        f"/api/v1/visits/{visit_id}/photos", content_type="multipart/form-data",
        data={"file": (picture, "kitchen.jpg", "image/jpeg"),
              "domain_key": "kitchen", "room": "kitchen", "caption": f"Worktop, photo {seed}",
              "parent_agreed": "true"},
        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.json


def family_seen_by_two_agencies(app: Flask, factory: Factory, photos: bool = False) -> World:
    """Three visits from two agencies (one raising an immediate concern)."""
    lead = factory.lead()
    health_visitor = factory.user(Role.PRACTITIONER, Profession.HEALTH_VISITOR)
    family = factory.family(lead=lead, members=(health_visitor,))
    lead_client = _client(app, lead)
    health_client = _client(app, health_visitor)

    lead_visit = lead_client.submit_visit(family.id, visit_body(
        visited_at=_ago(10), announced=False,
        scores=dict.fromkeys(DOMAINS, 2) | {"kitchen": 4},
        notes="Rotting food on the worktop; talked about cleaning routines."))
    assert lead_visit.status_code == 201, lead_visit.json
    announced = health_client.submit_visit(family.id, visit_body(
        visited_at=_ago(2), announced=True, notes="Kitchen cleaner today."))
    assert announced.status_code == 201, announced.json
    concern = health_client.submit_visit(family.id, visit_body(
        visited_at=_ago(1), concerns=["no_food"], notes="No food or formula in the flat."))
    assert concern.status_code == 201, concern.json
    if photos:
        _photo(health_client, announced.json["id"], seed=1)
        _photo(health_client, concern.json["id"], seed=2)
    return World(family, lead, health_visitor,
                 _agency_name(lead_client, lead.agency_id),
                 _agency_name(lead_client, health_visitor.agency_id),
                 lead_visit.json["id"], concern.json["id"])


@dataclass(frozen=True)
class DemoFamily:
    """A family of the demo partnership, loaded into the live server's database."""

    id: int
    reference: str


def demo_family(app: Flask, reference: str = WORSENING_FAMILY.reference) -> DemoFamily:
    """The demo partnership (as `flask demo load` makes it: eight weeks of visits from six
    agencies), analysed as the scheduler would; returns one of its families. Loading again
    in the same database changes nothing."""
    with app.app_context():
        load_demo()
        db.session.commit()
        family_id = db.session.execute(
            select(Family.id).where(Family.reference == reference)).scalar_one()
        now = clock.now()
        run_engine(now, now, [family_id])
    return DemoFamily(family_id, reference)
