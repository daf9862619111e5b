"""The pure analysis's facts, built in order: a family's visits as the engine reads them
(`VisitFact`, `FamilyFacts`), with no database and no app, and the ways the tests read
the findings back (one kind, exactly one, a replay run by run).

Day 0 is Monday 5 May 2025; visits are at 10:00 UTC unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from homelog.engine.steps.analysis import (
    FamilyFacts,
    Finding,
    FlagKind,
    Parameters,
    VisitFact,
    analyse,
)

START = dt.datetime(2025, 5, 5, 10, 0, tzinfo=dt.UTC)
HEALTH, CHILDREN, POLICE, HOUSING = 1, 2, 3, 4
AGENCIES = {
    HEALTH: "Demo health visiting service",
    CHILDREN: "Demo children's services",
    POLICE: "Demo police",
    HOUSING: "Demo housing",
}
DOMAINS = {
    "kitchen": "Kitchen and food hygiene", "food": "Food and infant feeds",
    "floors": "Floors, clutter and access", "bathroom": "Bathroom and toilet",
    "sleep": "Child's sleep space", "hazards": "Hazards and dangerous items",
    "air": "Smell and air", "warmth": "Warmth, utilities and repair",
    "animals": "Animals and pests", "presentation": "Child presentation and laundry",
}
CONCERNS = {"unsafe_sleep": "Unsafe sleep", "no_infant_sleep_space": "No safe sleep space",
            "no_food": "No food or formula", "carer_intoxicated": "Carer under the influence"}
SAFE_SLEEP = frozenset({"unsafe_sleep", "no_infant_sleep_space"})
ROOMS = {"kitchen": "Kitchen", "living_room": "Living room", "bathroom": "Bathroom and toilet",
         "child_bedroom": "Child's bedroom", "parents_bedroom": "Parents' bedroom"}
EVERYONE = ("mother", "father_or_partner", "children_seen")
PARAMS = Parameters()

AgreedSteps = tuple[tuple[dt.date | None, dict[str, int]], ...]


def at(day: float, hour: float = 10) -> dt.datetime:
    """Day `day` after 5 May 2025 (fractions allowed), at `hour` UTC."""
    return START + dt.timedelta(days=day, hours=hour - 10)


def midnight(day: int) -> dt.datetime:
    """The start of day `day` (UTC): when a gap of whole calendar days comes true."""
    return at(day, hour=0)


@dataclass
class Chronology:
    """A family's visits, built in order. Scores default to 2 (good enough) in every domain.

    `agreed` is the agreement in force all along; `steps`, if given, the agreed levels over
    time (FamilyFacts.agreed_steps), each visit compared with the levels on its date.
    """

    core: tuple[int, ...] = (HEALTH, CHILDREN)
    agreed: dict[str, int] = field(default_factory=dict)
    steps: AgreedSteps = ()
    opened_day: int = 0
    plan_day: int = 0
    zone: dt.tzinfo | None = None
    visits: list[VisitFact] = field(default_factory=list)

    def visit(self, day: float, agency: int = HEALTH, *, unannounced: bool = False,
              hour: float = 10, base: int | None = 2, concerns: tuple[str, ...] = (),
              present: tuple[str, ...] = EVERYONE, rooms: tuple[str, ...] = tuple(ROOMS),
              **scores: int | None) -> VisitFact:
        """A visit on day `day` at `hour` UTC; `base` is the score of every domain not
        given (None: not seen)."""
        return self.visit_at(at(day, hour), agency, unannounced=unannounced, base=base,
                             concerns=concerns, present=present, rooms=rooms, **scores)

    def visit_at(self, when: dt.datetime, agency: int = HEALTH, *, unannounced: bool = False,
                 base: int | None = 2, concerns: tuple[str, ...] = (),
                 present: tuple[str, ...] = EVERYONE, rooms: tuple[str, ...] = tuple(ROOMS),
                 **scores: int | None) -> VisitFact:
        """A visit at the instant `when` (in any zone: kept in UTC, as the engine reads it)."""
        fact = VisitFact(
            id=100 + len(self.visits), visited_at=when.astimezone(dt.UTC), agency_id=agency,
            agency_name=AGENCIES[agency], announced=not unannounced,
            scores={**dict.fromkeys(DOMAINS, base), **scores}, concerns=concerns,
            present=present, rooms_seen=rooms,
        )
        self.visits.append(fact)
        return fact

    def facts(self) -> FamilyFacts:
        return FamilyFacts(
            family_id=7,
            opened_on=START.date() + dt.timedelta(days=self.opened_day),
            plan_started_on=START.date() + dt.timedelta(days=self.plan_day),
            agreed_levels={**dict.fromkeys(DOMAINS, 2), **self.agreed},
            domain_names=DOMAINS, concern_labels=CONCERNS, safe_sleep_concerns=SAFE_SLEEP,
            room_labels=ROOMS, core_group_agencies={a: AGENCIES[a] for a in self.core},
            visits=tuple(self.visits), local_zone=self.zone, agreed_steps=self.steps,
        )


# ---- reading the findings back ----------------------------------------------------------------


def run(chronology: Chronology, as_of: dt.datetime | None = None,
        params: Parameters = PARAMS) -> list[Finding]:
    """Findings just after the last visit (or as of `as_of`)."""
    when = as_of or chronology.visits[-1].visited_at
    return analyse(chronology.facts(), params, when)


def of_kind(findings: list[Finding], kind: FlagKind) -> list[Finding]:
    return [finding for finding in findings if finding.kind == kind]


def one(findings: list[Finding], kind: FlagKind) -> Finding:
    matching = of_kind(findings, kind)
    assert len(matching) == 1, [f.explanation for f in findings]
    return matching[0]


def as_of_points(facts: FamilyFacts, step_hours: int = 24) -> Iterator[dt.datetime]:
    """Every visit's instant, and every `step_hours` from the first visit to a week after
    the last (so time-based findings are caught between visits too)."""
    instants = {visit.visited_at for visit in facts.visits}
    moment, end = facts.visits[0].visited_at, facts.visits[-1].visited_at
    while moment <= end + dt.timedelta(days=7):
        instants.add(moment)
        moment += dt.timedelta(hours=step_hours)
    return iter(sorted(instants))


def truncated(facts: FamilyFacts, as_of: dt.datetime) -> FamilyFacts:
    kept = tuple(visit for visit in facts.visits if visit.visited_at <= as_of)
    return dataclasses.replace(facts, visits=kept)


def replayed_kinds(facts: FamilyFacts) -> set[FlagKind]:
    """Replay the history every 12 hours, checking each run against analysing at once;
    returns the kinds of finding seen on the way."""
    open_flags: dict[str, Finding] = {}  # what the services would hold, run after run
    previous: dt.datetime | None = None
    kinds: set[FlagKind] = set()
    for as_of in as_of_points(facts, step_hours=12):
        found = analyse(facts, PARAMS, as_of)
        # Nothing after as_of is ever read.
        assert found == analyse(truncated(facts, as_of), PARAMS, as_of)
        for finding in found:
            earlier = open_flags.get(finding.key)
            # While a flag stays true its occurrence keeps its date; a flag that is new now
            # (or came true again: two visits at one instant can end a spell and start
            # another) became true since the last run, not before.
            if earlier is None or finding.became_true_at != earlier.became_true_at:
                assert previous is None or previous < finding.became_true_at <= as_of, (
                    finding.key, finding.became_true_at, previous, as_of)
        open_flags = {finding.key: finding for finding in found}
        kinds |= {finding.kind for finding in found}
        previous = as_of
    at_once = analyse(facts, PARAMS, previous)
    assert sorted(open_flags.values(), key=lambda f: f.key) == sorted(at_once, key=lambda f: f.key)
    return kinds
