"""A family with a long history, built fast: VISITS visits from four agencies over about two
years, a few events, PHOTOS photos (real renditions made by the photos feature, stored in the
real store), an agreement and the engine's flags. Used by the export tests and bench/exports.py.

Visits are bulk-inserted with SQLAlchemy Core (the services would take minutes for hundreds);
the rows are the ones the services write. Photos are rendered once per picture and stored
once per photo, as an upload would be.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask
from PIL import Image, ImageDraw

from homelog.accounts.models import Profession, Role, User
from homelog.core.time import utcnow
from homelog.engine.jobs import run_engine
from homelog.extensions import db
from homelog.families.models import Family
from homelog.families.services import open_family
from homelog.photos import images
from homelog.photos.models import DISPLAY, THUMB, Photo, PhotoFile
from homelog.photos.storage import photo_store
from homelog.rubric.services import current_rubric, revise_agreement
from homelog.visits.models import Event, Visit
from tests.factories import Factory, FamilyRef, UserRef
from tests.support import clock

FLAGGED_NOTE = "Kitchen worse again; mould on the worktop and bin overflowing."


@dataclass(frozen=True)
class BigFamily:
    family: FamilyRef
    members: tuple[UserRef, ...]
    visit_ids: list[int]
    photo_ids: list[int]
    first_day: dt.date
    last_day: dt.date


def picture(seed: int, width: int = 1600, height: int = 1200) -> bytes:
    """A phone-sized JPEG of a made-up room (different for each seed)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (rng.randint(120, 220), 190, 170))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.rectangle((x, y, x + rng.randint(20, 300), y + rng.randint(20, 200)),
                       fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _team(factory: Factory) -> tuple[UserRef, tuple[UserRef, ...]]:
    lead = factory.lead()
    members = (
        factory.user(Role.PRACTITIONER, Profession.HEALTH_VISITOR),
        factory.user(Role.PRACTITIONER, Profession.POLICE_OFFICER),
        factory.user(Role.PRACTITIONER, Profession.HOUSING_OFFICER),
    )
    return lead, members


def _scores(rng: random.Random, index: int, visits: int, domains: list[str]
            ) -> dict[str, int | None]:
    # Good enough most of the time, a bad spell in the middle third, a lapse near the end.
    bad = visits // 3 <= index < visits // 2 or index >= visits - 4
    return {key: (None if rng.random() < 0.05 else
                  rng.choice([3, 4, 4, 5] if bad else [1, 2, 2, 2, 3]))
            for key in domains}


def _visit_rows(family_id: int, authors: list[tuple[int, int, str]],
                visits: int, start: dt.datetime, rng: random.Random) -> list[dict[str, Any]]:
    rubric = current_rubric()
    domains, rooms = list(rubric.domains), list(rubric.rooms)
    rows = []
    for index in range(visits):
        author_id, agency_id, profession = authors[index % len(authors)]
        at = start + dt.timedelta(days=index * 2.4, hours=rng.randint(0, 6))
        scores = _scores(rng, index, visits, domains)
        worrying = any(score and score >= 4 for score in scores.values())
        key = str(uuid.UUID(int=rng.getrandbits(128)))
        rows.append({
            "family_id": family_id, "rubric_version_id": rubric.id, "author_id": author_id,
            "agency_id": agency_id, "author_profession": profession, "visited_at": at,
            "announced": index % 3 != 2,
            "present": ["mother", "children_seen"] + (["father_or_partner"] if index % 4 == 0
                                                      else []),
            "rooms_seen": rng.sample(rooms, rng.randint(3, len(rooms))), "scores": scores,
            "concerns": [], "notes": (FLAGGED_NOTE if worrying else
                                      f"Visit {index + 1}: home much as agreed; talked "
                                      "about the baby's routine and the health visitor's "
                                      "advice."),
            "child_presentation": "Clean and dressed for the weather.", "recorded_at": at,
            "idempotency_key": key, "request_hash": key.replace("-", "") * 2,
            "supersedes_id": None, "amendment_reason": None,
        })
    return rows


def _store_photos(family_id: int, visit_rows: list[tuple[int, int, int, str]],
                  photos: int) -> list[int]:
    """`photos` photos spread over the visits and the rubric's domains."""
    domains = list(current_rubric().domains)
    made = [images.make_renditions(picture(seed)) for seed in range(4)]
    store = photo_store()
    ids = []
    step = max(1, len(visit_rows) // max(1, photos))
    for number in range(photos):
        visit_id, author_id, agency_id, profession = visit_rows[(number * step) % len(visit_rows)]
        renditions = made[number % len(made)]
        files = []
        for name, rendition in ((DISPLAY, renditions.display), (THUMB, renditions.thumb)):
            stored = store.put(rendition.data)
            files.append(PhotoFile(rendition=name, storage_key=stored.key,
                                   sha256=stored.sha256, byte_size=stored.size,
                                   width=rendition.width, height=rendition.height,
                                   content_type=rendition.content_type))
        photo = Photo(
            family_id=family_id, visit_id=visit_id, domain_key=domains[number % len(domains)],
            room=None, caption="", parent_agreed=True, uploaded_by_id=author_id,
            agency_id=agency_id, author_profession=profession, uploaded_at=utcnow(),
            idempotency_key=str(uuid.uuid4()), request_hash="0" * 64,
            received_sha256="0" * 64, received_bytes=1, received_format="JPEG",
            received_width=1600, received_height=1200, files=files)
        db.session.add(photo)
        db.session.flush()
        ids.append(photo.id)
    return ids


def build_big_family(app: Flask, factory: Factory, visits: int = 300, photos: int = 60,
                     seed: int = 5) -> BigFamily:
    """The family, committed; its engine flags raised as of now."""
    rng = random.Random(seed)
    lead, members = _team(factory)
    days = int(visits * 2.4) + 10
    opened = clock.today() - dt.timedelta(days=days)
    family = factory.family(lead, members, opened_on=opened)
    start = dt.datetime.combine(opened + dt.timedelta(days=1), dt.time(9), dt.UTC)
    with app.app_context():
        users = db.session.query(User).filter(
            User.id.in_([member.id for member in (lead, *members)])).all()
        authors = [(user.id, user.agency_id, user.profession.value) for user in users]
        lead_user = next(user for user in users if user.id == lead.id)
        rows = _visit_rows(family.id, authors, visits, start, rng)
        db.session.execute(Visit.__table__.insert(), rows)
        ids = db.session.execute(
            db.select(Visit.id, Visit.author_id, Visit.agency_id, Visit.author_profession)
            .where(Visit.family_id == family.id).order_by(Visit.visited_at)).all()
        db.session.execute(Event.__table__.insert(), [{
            "family_id": family.id, "occurred_at": start + dt.timedelta(days=30 * number + 3),
            "kind": "police_callout", "summary": f"Call-out {number + 1}: neighbour heard "
                                                 "shouting; children safe.",
            "source": "Police control room", "recorded_by_id": members[1].id,
            "agency_id": members[1].agency_id, "author_profession": "police_officer",
            "recorded_at": start, "idempotency_key": str(uuid.uuid4()),
            "request_hash": "0" * 64} for number in range(min(20, days // 30))])
        photo_ids = _store_photos(family.id, [tuple(row) for row in ids], photos)
        access = open_family(lead_user, family.id, None)
        revise_agreement(lead_user, access, {
            "agreed_on": opened, "levels": dict.fromkeys(current_rubric().domains, 2),
            "note": "Agreed at the initial conference.", "shared_with_parents_on": opened})
        db.session.commit()
        now = utcnow()
        run_engine(now, now, [family.id])
        db.session.commit()
        first = db.session.get_one(Family, family.id).opened_on
    return BigFamily(family, members, [row[0] for row in ids], photo_ids, first,
                     clock.today())

