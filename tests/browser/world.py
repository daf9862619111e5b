"""Families to test the screens with: one seen by two agencies, made by the factory in the
live server's database (its photos POSTed as the phone sends them); and the demo
partnership's, loaded as `flask demo load` does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from homelog.accounts.models import Profession, Role
from homelog.demo.partnership import WORSENING_FAMILY
from homelog.demo.services import load_demo
from homelog.engine.jobs import run_engine
from homelog.extensions import db
from homelog.families.models import Family
from tests.factories import Factory, FamilyRef, UserRef
from tests.photos.pictures import phone_jpeg, scene
from tests.photos.uploads import photo
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


def _ago(days: float) -> dt.datetime:
    return clock.now() - dt.timedelta(days=days)


def _agency_name(client: ApiClient, agency_id: int) -> str:
    agencies = client.get("/api/v1/agencies").json
    return next(agency["name"] for agency in agencies if agency["id"] == agency_id)


def _photo(client: ApiClient, visit_id: int, seed: int) -> None:
    photo(client, visit_id, phone_jpeg(image=scene(480, 360, seed=seed)),
          filename="kitchen.jpg", caption=f"Worktop, photo {seed}")


def family_seen_by_two_agencies(factory: Factory, photos: bool = False) -> World:
    """Three visits from two agencies (one raising an immediate concern)."""
    lead = factory.lead()
    health_visitor = factory.user(Role.PRACTITIONER, Profession.HEALTH_VISITOR)
    family = factory.family(lead=lead, members=(health_visitor,))
    lead_client = factory.signed_in(lead)
    health_client = factory.signed_in(health_visitor)

    lead_visit = factory.visit(
        family.id, lead.id, _ago(10), {"kitchen": 4}, announced=False,
        notes="Rotting food on the worktop; talked about cleaning routines.")
    announced = factory.visit(family.id, health_visitor.id, _ago(2), announced=True,
                              notes="Kitchen cleaner today.")
    concern = factory.visit(family.id, health_visitor.id, _ago(1), concerns=["no_food"],
                            notes="No food or formula in the flat.")
    if photos:
        _photo(health_client, announced, seed=1)
        _photo(health_client, concern, seed=2)
    return World(family, lead, health_visitor,
                 _agency_name(lead_client, lead.agency_id),
                 _agency_name(lead_client, health_visitor.agency_id),
                 lead_visit, concern)


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
