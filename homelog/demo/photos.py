"""Demo photos, drawn here (never downloaded): a kitchen worktop and a baby's sleep space.

The drawing gets worse with the score the visit gave the domain, so the side-by-side view
of the worsening and swinging families shows what the scores say. Every drawing is labelled
as a demo drawing. Each is saved as a phone would (a JPEG with EXIF and GPS) and goes
through the ordinary photo service, so the demo's photos are as stripped as real ones.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw
from sqlalchemy import select

from homelog.accounts.models import User
from homelog.accounts.services import find_user_by_email
from homelog.demo.partnership import FAMILIES, USERS
from homelog.extensions import db
from homelog.families.models import Family
from homelog.families.services import open_family
from homelog.photos.services import Upload, add_photo, find_photo_by_key
from homelog.visits.models import Visit
from homelog.visits.services import Submission

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://demo.homelog.test/photos/")
SIZE = (960, 720)
# Uploaded this long after the visit, as if the phone found signal on the way back.
_UPLOAD_DELAY = dt.timedelta(minutes=40)

Painter = Callable[[ImageDraw.ImageDraw, random.Random, int], None]


def _label(draw: ImageDraw.ImageDraw, text: str) -> None:
    draw.rectangle((0, SIZE[1] - 34, SIZE[0], SIZE[1]), fill=(20, 20, 20))
    draw.text((12, SIZE[1] - 26), f"DEMO DRAWING - {text}", fill=(255, 255, 255),
              font_size=18)


def _kitchen(draw: ImageDraw.ImageDraw, rng: random.Random, score: int) -> None:
    width, height = SIZE
    wall = (236, 228, 206) if score <= 2 else (214, 200, 170) if score <= 3 else (180, 165, 130)
    draw.rectangle((0, 0, width, height), fill=wall)
    draw.rectangle((520, 60, 860, 300), fill=(170, 210, 235), outline=(90, 90, 90), width=8)
    worktop = height * 3 // 5
    draw.rectangle((0, worktop, width, worktop + 40), fill=(150, 110, 70))
    draw.rectangle((80, worktop - 5, 300, worktop + 30), fill=(180, 185, 190))  # the sink
    for left in range(0, width, 160):  # cupboards
        draw.rectangle((left + 6, worktop + 48, left + 154, height - 40), fill=(120, 140, 120),
                       outline=(70, 80, 70), width=3)
        draw.rectangle((left + 70, worktop + 90, left + 90, worktop + 100), fill=(60, 60, 60))
    for _ in range((0, 2, 7, 14, 24)[score - 1]):  # dishes, pans and food left out
        x = rng.randrange(20, width - 120)
        y = worktop - rng.randrange(20, 90)
        w, h = rng.randrange(40, 110), rng.randrange(14, 60)
        colour = rng.choice([(245, 245, 240), (200, 60, 50), (230, 190, 60), (90, 90, 100)])
        draw.ellipse((x, y, x + w, y + h), fill=colour, outline=(40, 40, 40), width=2)
    for _ in range((0, 0, 4, 12, 30)[score - 1]):  # stains, spills and rubbish
        x, y = rng.randrange(width), rng.randrange(worktop - 60, height - 40)
        radius = rng.randrange(6, 28)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(90, 60, 30))
    if score == 5:
        for _ in range(60):  # mould on the wall
            x, y = rng.randrange(width), rng.randrange(worktop)
            draw.ellipse((x, y, x + 6, y + 6), fill=(60, 90, 50))
    _label(draw, f"kitchen worktop, scored {score}")


def _sleep_space(draw: ImageDraw.ImageDraw, rng: random.Random, score: int) -> None:
    width, height = SIZE
    draw.rectangle((0, 0, width, height), fill=(222, 230, 240) if score <= 2 else (200, 200, 195))
    draw.rectangle((0, height * 2 // 3, width, height), fill=(160, 130, 100))  # the floor
    left, top, right, bottom = 240, 250, 720, 560  # the cot
    draw.rectangle((left, top + 150, right, bottom), fill=(250, 250, 250) if score <= 2
                   else (225, 215, 190), outline=(120, 90, 60), width=6)
    for x in range(left, right + 1, 30):
        draw.line((x, top, x, bottom), fill=(150, 110, 70), width=6)
    draw.rectangle((left, top, right, top + 12), fill=(150, 110, 70))
    for _ in range((0, 1, 4, 9, 16)[score - 1]):  # things in the cot and around it
        x, y = rng.randrange(left, right - 60), rng.randrange(top + 120, bottom - 20)
        colour = rng.choice([(200, 80, 80), (80, 120, 200), (230, 200, 80), (120, 120, 120)])
        draw.rectangle((x, y, x + rng.randrange(30, 90), y + rng.randrange(20, 50)),
                       fill=colour)
    for _ in range((0, 0, 2, 6, 14)[score - 1]):  # stains on the mattress and floor
        x, y = rng.randrange(80, width - 80), rng.randrange(top + 160, height - 50)
        radius = rng.randrange(8, 30)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(150, 120, 60))
    _label(draw, f"baby's sleep space, scored {score}")


@dataclass(frozen=True)
class _Subject:
    domain: str
    room: str
    photographer: str  # the key of the demo user who photographs it
    caption: str
    paint: Painter


SUBJECTS = (
    _Subject("kitchen", "kitchen", "assistant", "Worktop by the sink", _kitchen),
    _Subject("sleep", "child_bedroom", "health_visitor", "Baby's cot", _sleep_space),
)


def draw_photo(subject: _Subject, score: int, seed: str) -> bytes:
    """A drawn photo as a phone would save it: a JPEG with EXIF, including a GPS position."""
    image = Image.new("RGB", SIZE)
    subject.paint(ImageDraw.Draw(image), random.Random(seed), score)
    exif = Image.Exif()
    exif[0x010F] = "Demo phone"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 0.0), "W", (0.0, 7.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def _visits_to_photograph(family: Family, user: User, subject: _Subject) -> list[Visit]:
    """Every other visit of the photographer's that scored the domain in the room seen."""
    visits = db.session.execute(
        select(Visit).where(Visit.family_id == family.id, Visit.author_id == user.id,
                            Visit.supersedes_id.is_(None))
        .order_by(Visit.visited_at)
    ).scalars().all()
    chosen = [visit for visit in visits if visit.scores.get(subject.domain) is not None
              and subject.room in visit.rooms_seen]
    return chosen[::2]


def add_demo_photos() -> int:
    """Add the demo families' photos that are not there yet; returns how many were added.

    Safe to run again: each photo has a key made from its family, domain and visit, and a
    photo whose key is already used is skipped (not redrawn).
    """
    users = {spec.key: find_user_by_email(spec.email) for spec in USERS}
    references = [spec.reference for spec in FAMILIES]
    families = db.session.execute(
        select(Family).where(Family.reference.in_(references)).order_by(Family.reference)
    ).scalars().all()
    added = 0
    for family in families:
        for subject in SUBJECTS:
            user = users[subject.photographer]
            if user is None:
                continue
            access = open_family(user, family.id, None)  # recorded as photo.create
            for visit in _visits_to_photograph(family, user, subject):
                name = f"{family.reference}:{subject.domain}:{visit.idempotency_key}"
                key = str(uuid.uuid5(_NAMESPACE, name))
                if find_photo_by_key(user, key) is not None:
                    continue
                score = visit.scores[subject.domain]
                upload = Upload(draw_photo(subject, score, name), subject.domain, subject.room,
                                subject.caption, parent_agreed=True)
                add_photo(visit, access, Submission(user, key, upload.fingerprint(visit.id)),
                          upload, now=visit.visited_at + _UPLOAD_DELAY)
                added += 1
    return added
