"""Plan a demo family's eight weeks of visits: pure and seeded, so every load is the same.

Scores come from a profile of centre levels per domain (1 = best, 5 = worst) plus a little
seeded noise; the family's pattern chooses the profile. A domain whose room was not seen,
or the children's presentation when they were not seen, is recorded as not seen (None).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from homelog.demo.partnership import (
    AMENDMENT_REASON,
    WINDOW_DAYS,
    FamilySpec,
    MarkedVisit,
    Pattern,
    Rhythm,
    days_ago,
)
from homelog.demo.wording import carer_words, child_presentation, visit_notes
from homelog.rubric.scale import CONCERN_LEVEL_DEFAULT

ROOM_ORDER = ("kitchen", "living_room", "bathroom", "child_bedroom", "parents_bedroom",
              "other_bedroom", "hall_stairs", "outside")
# The rooms a domain can be judged from; a domain not listed can be judged from any room.
DOMAIN_ROOMS = {
    "kitchen": {"kitchen"},
    "food": {"kitchen"},
    "bathroom": {"bathroom"},
    "sleep": {"child_bedroom", "parents_bedroom"},
}
# Rooms each practitioner usually sees, and rooms they see on some visits only.
ROOMS = {
    "health_visitor": (("kitchen", "living_room", "child_bedroom"), ("bathroom",)),
    "midwife": (("living_room", "parents_bedroom"), ("kitchen", "bathroom")),
    "assistant": (("kitchen", "living_room", "child_bedroom"), ("bathroom", "hall_stairs")),
    "lead": (("kitchen", "living_room", "bathroom", "child_bedroom", "parents_bedroom",
              "hall_stairs"), ("other_bedroom", "outside")),
    "police": (("living_room", "hall_stairs"), ("kitchen",)),
    "housing": (("kitchen", "bathroom", "hall_stairs"), ("living_room", "outside",
                                                        "other_bedroom")),
}

# Centre levels per domain. GOOD is a home at or better than the agreed baseline.
GOOD = {"kitchen": 1.7, "food": 1.6, "floors": 1.8, "bathroom": 1.7, "sleep": 1.0,
        "hazards": 1.6, "air": 1.5, "warmth": 1.6, "animals": 1.2, "presentation": 1.6}
# Where the worsening family ends up after eight weeks.
WORSE_END = {"kitchen": 4.8, "food": 3.6, "floors": 4.6, "bathroom": 3.8, "sleep": 2.6,
             "hazards": 3.2, "air": 4.5, "warmth": 3.0, "animals": 2.0, "presentation": 4.4}
# The swinging family when nobody is expected.
POOR = {"kitchen": 4.6, "food": 3.3, "floors": 4.2, "bathroom": 3.5, "sleep": 3.5,
        "hazards": 3.0, "air": 4.2, "warmth": 2.0, "animals": 1.8, "presentation": 3.8}
DOMAINS = tuple(GOOD)

# What an immediate concern implies: rooms that were seen and the least-bad levels.
CONCERN_ROOMS = {
    "unsafe_sleep": ("living_room", "child_bedroom"),
    "faeces_or_rot_in_child_areas": ("kitchen", "living_room"),
}
CONCERN_LEVELS = {
    "unsafe_sleep": {"sleep": 4},
    "faeces_or_rot_in_child_areas": {"air": 5, "floors": 5},
}
# Those who call often enough to compare with their own last visit.
REGULAR_VISITORS = ("health_visitor", "midwife", "assistant", "lead")
_MINUTES = (0, 10, 15, 20, 30, 40, 45, 50)


@dataclass(frozen=True)
class Slot:
    """When one practitioner calls."""

    author: str
    week: int
    day: int
    hour: int
    minute: int
    announced: bool

    @property
    def marked(self) -> MarkedVisit:
        return MarkedVisit(self.week, self.author)


@dataclass(frozen=True)
class PlannedAmendment:
    key_name: str
    changes: dict[str, Any]  # the corrected fields and the reason, as amend_visit takes them


@dataclass(frozen=True)
class PlannedVisit:
    key_name: str  # stable name of the submission; the idempotency key is derived from it
    author: str
    visited_at: dt.datetime
    announced: bool
    present: list[str]
    rooms_seen: list[str]
    scores: dict[str, int | None]
    concerns: list[str]
    notes: str
    child_presentation: str
    amendment: PlannedAmendment | None = None

    def data(self) -> dict[str, Any]:
        """The visit as record_visit takes it."""
        return {
            "visited_at": self.visited_at, "announced": self.announced,
            "present": list(self.present), "rooms_seen": list(self.rooms_seen),
            "scores": dict(self.scores), "concerns": list(self.concerns), "notes": self.notes,
            "child_presentation": self.child_presentation, "rubric_version": None,
        }


def plan_visits(family: FamilySpec, today: dt.date, zone: dt.tzinfo,
                concern_level: int = CONCERN_LEVEL_DEFAULT) -> list[PlannedVisit]:
    """Every visit to `family` over the eight weeks before `today`, oldest first, with
    notes that treat scores at `concern_level` or worse as a concern."""
    rng = random.Random(family.reference)
    slots = sorted(
        (slot for rhythm in family.rhythms for slot in _slots(rhythm, rng)),
        key=lambda slot: (slot.week, slot.day, slot.hour, slot.minute),
    )
    return [_plan_visit(family, slot, today, zone, rng, concern_level) for slot in slots]


def local_time(today: dt.date, week: int, day: int, hour: int, minute: int,
               zone: dt.tzinfo) -> dt.datetime:
    """An aware local time on `day` of `week` of the window that ends yesterday."""
    date = today - dt.timedelta(days=days_ago(week, day))
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=zone)


def _slots(rhythm: Rhythm, rng: random.Random) -> list[Slot]:
    return [
        Slot(rhythm.author, week, rng.randint(*rhythm.days), rng.randint(*rhythm.hours),
             rng.choice(_MINUTES), week not in rhythm.unannounced_weeks)
        for week in rhythm.weeks
    ]


@dataclass(frozen=True)
class _Observed:
    """What a practitioner saw on one visit."""

    rooms_seen: list[str]
    present: list[str]
    scores: dict[str, int | None]
    amendment: PlannedAmendment | None


def _plan_visit(family: FamilySpec, slot: Slot, today: dt.date, zone: dt.tzinfo,
                rng: random.Random, concern_level: int) -> PlannedVisit:
    concern = family.concern[1] if family.concern and family.concern[0] == slot.marked else None
    seen = _observe(family, slot, concern, rng)
    concerns = [concern] if concern else []
    stages = [child.stage for child in family.children]
    tidied = (family.pattern == Pattern.SWINGING and slot.announced
              and slot.author in REGULAR_VISITORS and rng.random() < 0.5)
    return PlannedVisit(
        key_name=f"{family.reference}:visit:{slot.author}:week{slot.week}",
        author=slot.author,
        visited_at=local_time(today, slot.week, slot.day, slot.hour, slot.minute, zone),
        announced=slot.announced,
        present=seen.present,
        rooms_seen=seen.rooms_seen,
        scores=seen.scores,
        concerns=concerns,
        notes=visit_notes(slot.author, seen.scores, concerns,
                          carer=carer_words(seen.present, stages), tidied_for_visit=tidied,
                          rng=rng, concern_level=concern_level),
        child_presentation=child_presentation(
            seen.scores["presentation"], stages, asleep=slot.hour >= 19 or rng.random() < 0.5),
        amendment=seen.amendment,
    )


def _observe(family: FamilySpec, slot: Slot, concern: str | None,
             rng: random.Random) -> _Observed:
    levels = _levels(family, slot, rng)
    for key, floor in CONCERN_LEVELS.get(concern or "", {}).items():
        levels[key] = max(levels[key], floor)
    amended = family.amended == slot.marked
    extra_rooms = (*CONCERN_ROOMS.get(concern or "", ()), *(("bathroom",) if amended else ()))
    rooms = _rooms(slot.author, rng, extra_rooms)
    present = _present(family, rng, must_see=concern is not None)
    scores = _mask(levels, rooms, "children_seen" in present)
    if not amended:
        return _Observed(rooms, present, scores, None)
    # Recorded at first without the bathroom, then corrected by an amendment.
    return _Observed([room for room in rooms if room != "bathroom"], present,
                     {**scores, "bathroom": None},
                     _amendment(family, slot, rooms, scores["bathroom"]))


def _levels(family: FamilySpec, slot: Slot, rng: random.Random) -> dict[str, int]:
    """Levels before anything is masked as not seen, following the family's pattern."""
    progress = (slot.week * 7 + slot.day) / (WINDOW_DAYS - 1)
    if family.pattern == Pattern.STABLE:
        return _draw(GOOD, 0.0, 0.45, rng, worst=2)
    if family.pattern == Pattern.WORSENING:
        centres = {key: GOOD[key] + (WORSE_END[key] - GOOD[key]) * progress for key in GOOD}
        return _draw(centres, 0.0 if slot.announced else 0.3, 0.6, rng)
    if slot.announced:
        return _draw(GOOD, 0.0, 0.6, rng)
    if slot.week in family.good_weeks:
        return _draw(GOOD, 0.5, 0.6, rng)
    return _draw(POOR, 0.0, 0.6, rng)


def _draw(centres: dict[str, float], shift: float, spread: float, rng: random.Random,
          worst: int = 5) -> dict[str, int]:
    return {
        key: min(worst, max(1, int(centre + shift + rng.uniform(-spread, spread) + 0.5)))
        for key, centre in centres.items()
    }


def _rooms(author: str, rng: random.Random, extra: tuple[str, ...]) -> list[str]:
    usual, sometimes = ROOMS[author]
    seen = {*usual, *extra, *(room for room in sometimes if rng.random() < 0.5)}
    return [room for room in ROOM_ORDER if room in seen]


def _present(family: FamilySpec, rng: random.Random, *, must_see: bool) -> list[str]:
    mother = must_see or rng.random() < 0.93
    present = ["mother"] if mother else []
    if rng.random() < family.partner_seen:
        present.append("father_or_partner")
    if not mother or rng.random() < 0.12:
        present.append("other_adult")
    if must_see or rng.random() < 0.88:
        present.append("children_seen")
    return present


def _mask(levels: dict[str, int], rooms: list[str], children_seen: bool) -> dict[str, int | None]:
    def seen(key: str) -> bool:
        if key == "presentation":
            return children_seen
        needed = DOMAIN_ROOMS.get(key)
        return bool(rooms) and (needed is None or bool(needed.intersection(rooms)))

    return {key: level if seen(key) else None for key, level in levels.items()}


def _amendment(family: FamilySpec, slot: Slot, rooms: list[str],
               bathroom: int | None) -> PlannedAmendment:
    return PlannedAmendment(
        key_name=f"{family.reference}:amendment:{slot.author}:week{slot.week}",
        changes={"reason": AMENDMENT_REASON, "rooms_seen": list(rooms),
                 "scores": {"bathroom": bathroom}},
    )
