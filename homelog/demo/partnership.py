"""What the demo partnership holds: agencies, role-named users, three fictional families.

Nothing here touches the database (services.py loads it). Users are named by their role,
never with invented personal names; families are a code and initials; every address is
obviously fictional. Dates are counted back from the day the demo is loaded, in weeks and
days of an eight-week visiting window, so the demo always looks current.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from homelog.accounts.models import Profession, Role

DEMO_PASSWORD = "demo-homelog-2026"
ADMIN_EMAIL = "admin@demo.homelog.test"
WINDOW_WEEKS = 8
WINDOW_DAYS = WINDOW_WEEKS * 7


def days_ago(week: int, day: int) -> int:
    """Days before today of `day` (0-6) in `week` (0 = oldest) of the visiting window."""
    return WINDOW_DAYS - (week * 7 + day)


# --- agencies and users -----------------------------------------------------------------------

@dataclass(frozen=True)
class AgencySpec:
    name: str
    kind: str


CHILDREN_SERVICES = AgencySpec("Demo children's services", "children_services")
HEALTH_VISITING = AgencySpec("Demo health visiting service", "health")
MATERNITY = AgencySpec("Demo maternity service", "health")
POLICE = AgencySpec("Demo police", "police")
HOUSING = AgencySpec("Demo housing", "housing")
AGENCIES = (CHILDREN_SERVICES, HEALTH_VISITING, MATERNITY, POLICE, HOUSING)


@dataclass(frozen=True)
class UserSpec:
    key: str  # how the rest of this description refers to the user
    name: str
    email: str
    role: Role
    profession: Profession
    agency: AgencySpec
    manager: str | None = None  # key of the user's line manager


# Ordered so that a manager exists before the people they manage.
USERS = (
    UserSpec("health_visitor", "Demo health visitor", "health.visitor@demo.homelog.test",
             Role.PRACTITIONER, Profession.HEALTH_VISITOR, HEALTH_VISITING),
    UserSpec("midwife", "Demo midwife", "midwife@demo.homelog.test",
             Role.PRACTITIONER, Profession.MIDWIFE, MATERNITY),
    UserSpec("manager", "Demo team manager", "manager@demo.homelog.test",
             Role.MANAGER, Profession.TEAM_MANAGER, CHILDREN_SERVICES),
    UserSpec("lead", "Demo lead social worker", "lead.social.worker@demo.homelog.test",
             Role.LEAD_SOCIAL_WORKER, Profession.SOCIAL_WORKER, CHILDREN_SERVICES,
             manager="manager"),
    UserSpec("assistant", "Demo social work assistant", "social.work.assistant@demo.homelog.test",
             Role.PRACTITIONER, Profession.SOCIAL_WORK_ASSISTANT, CHILDREN_SERVICES,
             manager="manager"),
    # In one family's core group only (DEMO-002), so signing in as them shows what someone
    # outside a family's core group sees of it: nothing.
    UserSpec("family_support", "Demo family support worker",
             "family.support.worker@demo.homelog.test", Role.PRACTITIONER,
             Profession.FAMILY_SUPPORT_WORKER, CHILDREN_SERVICES, manager="manager"),
    UserSpec("police", "Demo police officer", "police.officer@demo.homelog.test",
             Role.PRACTITIONER, Profession.POLICE_OFFICER, POLICE),
    UserSpec("housing", "Demo housing officer", "housing.officer@demo.homelog.test",
             Role.PRACTITIONER, Profession.HOUSING_OFFICER, HOUSING),
    UserSpec("admin", "Demo administrator", ADMIN_EMAIL,
             Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR, CHILDREN_SERVICES),
)
LEAD = "lead"
# Everyone the lead social worker adds to every family's core group (administrators cannot
# join); a family may add others (FamilySpec.also_in_core_group).
CORE_GROUP = ("health_visitor", "midwife", "assistant", "police", "housing", "manager")


# --- families ---------------------------------------------------------------------------------

class Pattern(enum.StrEnum):
    """How a family's home conditions move over the eight weeks."""

    STABLE = "stable"  # good enough throughout, small noise
    WORSENING = "worsening"  # drifts from good enough to concern
    SWINGING = "swinging"  # good when announced, poor when not


@dataclass(frozen=True)
class ChildSpec:
    initials: str
    age_days: int  # on the day the demo is loaded
    stage: str  # "baby" or "toddler": chooses the wording of the child's presentation


@dataclass(frozen=True)
class Rhythm:
    """How often one practitioner visits a family: one visit in each listed week."""

    author: str
    weeks: tuple[int, ...]
    days: tuple[int, int]  # earliest and latest day of the week (0-6)
    hours: tuple[int, int]  # earliest and latest local hour
    unannounced_weeks: tuple[int, ...] = ()


@dataclass(frozen=True)
class MarkedVisit:
    """One planned visit singled out: the visit by `author` in `week`."""

    week: int
    author: str


@dataclass(frozen=True)
class FamilySpec:
    reference: str
    address: str
    children: tuple[ChildSpec, ...]
    opened_days_ago: int
    pattern: Pattern
    partner_seen: float  # chance the father or partner is present at a visit
    rhythms: tuple[Rhythm, ...]
    good_weeks: tuple[int, ...] = ()  # swinging: weeks when even unannounced visits go well
    concern: tuple[MarkedVisit, str] | None = None  # an immediate concern ticked on one visit
    amended: MarkedVisit | None = None  # a visit its author corrects afterwards
    also_in_core_group: tuple[str, ...] = ()  # in this family's core group, not the others'


def core_group_of(family: FamilySpec) -> tuple[str, ...]:
    """The users (by key) the lead adds to this family's core group."""
    return CORE_GROUP + family.also_in_core_group


ALL_WEEKS = tuple(range(WINDOW_WEEKS))

STABLE_FAMILY = FamilySpec(
    reference="DEMO-001",
    address="1 Example Street, Demo Town",
    children=(ChildSpec("A.B.", 830, "toddler"), ChildSpec("C.B.", 70, "baby")),
    opened_days_ago=71,
    pattern=Pattern.STABLE,
    partner_seen=0.6,
    rhythms=(
        Rhythm("health_visitor", ALL_WEEKS, (0, 2), (9, 13), unannounced_weeks=(5,)),
        # Every agency in the core group keeps in touch (within the engine's 28 days),
        # so the stable family raises nothing at all, not even a coverage prompt.
        Rhythm("midwife", (0, 1, 5), (3, 4), (10, 14)),
        Rhythm("assistant", ALL_WEEKS, (2, 4), (9, 17), unannounced_weeks=(0, 2, 4, 6)),
        Rhythm("lead", (1, 3, 5, 7), (3, 5), (10, 16), unannounced_weeks=(3, 7)),
        Rhythm("police", (4, 6), (5, 6), (18, 20), unannounced_weeks=(4,)),
        Rhythm("housing", (2, 6), (0, 4), (9, 15)),
    ),
)

WORSENING_FAMILY = FamilySpec(
    reference="DEMO-002",
    address="Flat 4, 22 Sample Road, Demo Town",
    children=(ChildSpec("D.E.", 610, "toddler"), ChildSpec("F.E.", 68, "baby")),
    opened_days_ago=70,
    pattern=Pattern.WORSENING,
    partner_seen=0.4,
    rhythms=(
        Rhythm("health_visitor", ALL_WEEKS, (0, 2), (9, 13), unannounced_weeks=(6,)),
        Rhythm("midwife", (0, 1, 2), (3, 4), (10, 14)),
        Rhythm("assistant", ALL_WEEKS, (3, 5), (10, 17), unannounced_weeks=(1, 3, 4, 6, 7)),
        Rhythm("lead", (1, 3, 5, 7), (2, 4), (10, 16), unannounced_weeks=(3, 7)),
        # Officers attended the neighbour's call-out (see EVENTS) late that night.
        Rhythm("police", (6,), (2, 2), (23, 23), unannounced_weeks=(6,)),
        Rhythm("housing", (2, 6), (0, 4), (9, 15)),
    ),
    concern=(MarkedVisit(7, "lead"), "faeces_or_rot_in_child_areas"),
    amended=MarkedVisit(2, "assistant"),
    also_in_core_group=("family_support",),
)

SWINGING_FAMILY = FamilySpec(
    reference="DEMO-003",
    address="7 Placeholder Close, Demo Town",
    children=(ChildSpec("G.H.", 63, "baby"),),
    opened_days_ago=69,
    pattern=Pattern.SWINGING,
    partner_seen=0.0,  # the partner is never seen: a coverage gap the engine should show
    rhythms=(
        # The health visitor always arranges her visit for the day before the assistant calls
        # unannounced, so two agencies see the home within 48 hours every week.
        Rhythm("health_visitor", ALL_WEEKS, (1, 1), (10, 12)),
        Rhythm("midwife", (0, 1, 2), (3, 4), (10, 14)),
        Rhythm("assistant", ALL_WEEKS, (2, 2), (14, 17), unannounced_weeks=(0, 2, 3, 4, 6, 7)),
        Rhythm("lead", (1, 3, 5, 7), (4, 6), (10, 16), unannounced_weeks=(3, 5)),
        Rhythm("police", (5,), (5, 5), (19, 21), unannounced_weeks=(5,)),
        Rhythm("housing", (4,), (4, 4), (9, 12)),
    ),
    good_weeks=(2, 6),
    concern=(MarkedVisit(4, "assistant"), "unsafe_sleep"),
)

FAMILIES = (STABLE_FAMILY, WORSENING_FAMILY, SWINGING_FAMILY)

AGREEMENT_NOTE = (
    "Agreed at the first core group meeting after the initial child protection conference. "
    "Went through each descriptor with mother in plain language and left her a copy."
)


def agreed_levels(family: FamilySpec, default_levels: dict[str, int]) -> dict[str, int]:
    """The family's agreement: the rubric's good-enough levels, with a clear own cot for a baby."""
    levels = dict(default_levels)
    if any(child.stage == "baby" for child in family.children) and "sleep" in levels:
        levels["sleep"] = 1
    return levels


# --- events (information that is not a visit) -------------------------------------------------

@dataclass(frozen=True)
class EventSpec:
    reference: str  # the family's
    author: str
    kind: str
    week: int
    day: int
    time: tuple[int, int]  # local hour and minute
    summary: str
    source: str


EVENTS = (
    EventSpec(
        "DEMO-001", "health_visitor", "gp_information", 3, 1, (15, 30),
        "GP surgery: baby's eight-week check done. Weight gain on track and first "
        "immunisations given. No concerns raised by the GP.",
        "GP surgery",
    ),
    EventSpec(
        "DEMO-002", "lead", "gp_information", 4, 2, (11, 0),
        "GP surgery: toddler brought in with a cough and bad nappy rash. The one-year "
        "immunisations are overdue; the practice nurse has offered an appointment twice.",
        "GP surgery",
    ),
    EventSpec(
        "DEMO-002", "police", "police_callout", 6, 2, (22, 40),
        "Neighbour called police about a strong smell from the flat and a child crying for a "
        "long time. Officers attended; mother and both children at home. Rubbish bags in the hall "
        "and kitchen. Notification sent to children's services.",
        "Demo police control room",
    ),
    EventSpec(
        "DEMO-003", "health_visitor", "hospital_contact", 3, 3, (16, 15),
        "Hospital liaison: baby taken to the emergency department with a cold and poor feeding; "
        "discharged the same day. Staff noted mother was very tired; safe sleep advice repeated.",
        "Hospital liaison health visitor",
    ),
    EventSpec(
        "DEMO-003", "police", "police_callout", 5, 4, (23, 20),
        "999 call from a neighbour reporting shouting at the address. Mother's partner had left "
        "before officers arrived. Baby asleep in the Moses basket; living room cluttered with "
        "empty cans.",
        "Demo police control room",
    ),
)

AMENDMENT_REASON = (
    "The bathroom was seen at the end of the visit but was left off when the visit was "
    "recorded on the phone."
)
