"""What the demo practitioners write: notes and the child's presentation, in plain words.

Notes name people by their relationship to the child (mother, partner, baby), never by name.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from homelog.rubric.scale import GOOD_ENOUGH_MAX, Band, band_of

# What a practitioner writes about a domain they scored 3, 4 or 5 (borderline or a concern,
# by the partnership's concern level).
DOMAIN_NOTES: dict[str, dict[int, str]] = {
    "kitchen": {
        3: "Dishes piling up and some stale food left on the side.",
        4: "Kitchen: ingrained dirt on the surfaces and rotting food left out; "
           "sink full of dirty bottles.",
        5: "Kitchen unusable: mould on the dishes and worktops, fruit flies, "
           "bin overflowing onto the floor.",
    },
    "food": {
        3: "Not much food in; bottles rinsed but not sterilised.",
        4: "No meal or feed ready for the children; the fridge held milk and sauces only.",
        5: "No food or formula in the home.",
    },
    "floors": {
        3: "Clutter creeping into the areas the children use.",
        4: "Routes through the living room blocked by bags of washing and rubbish; "
           "nowhere clear to put the baby down.",
        5: "Bags piled in the hall and against the back door; only one way out of the flat.",
    },
    "bathroom": {
        3: "Bathroom grubby and the toilet seat broken.",
        4: "Toilet filthy and not flushing properly; bath full of dirty washing.",
        5: "No usable bathroom: toilet blocked and no hot water.",
    },
    "sleep": {
        3: "Baby's bedding needed washing; cot has clothes stored at one end.",
        4: "Baby's cot full of clothes; mattress stained and damp.",
        5: "Nowhere safe for the baby to sleep.",
    },
    "hazards": {
        3: "Several small hazards within reach: a hot drink, a lighter and trailing cables.",
        4: "Stair gate left open and a hot iron on the floor again, despite advice last time.",
        5: "Acute danger within reach of the children.",
    },
    "air": {
        3: "Stale smell and cigarette smoke in the living room.",
        4: "Strong smell of urine and dirty nappies on entering.",
        5: "Overpowering smell of rot and faeces throughout the ground floor.",
    },
    "warmth": {
        3: "Living room cold and mould around the bedroom window; meter often runs out.",
        4: "Heating off: the meter has been empty since the weekend.",
        5: "No heating, power or hot water.",
    },
    "animals": {
        3: "Cat litter tray overflowing.",
        4: "Pet mess on the living-room floor where the children play.",
        5: "Infestation near the children.",
    },
    "presentation": {
        3: "Clothes often dirty; laundry piling up.",
        4: "Clothes and nappies soiled and no clean clothes ready for the baby.",
        5: "Children severely unkempt; sores left untreated.",
    },
}

CONCERN_NOTES = {
    "unsafe_sleep": (
        "On arrival the baby was asleep on the sofa lying against mother, who had also fallen "
        "asleep. Mother woken and the baby moved to the Moses basket. Safe sleep advice repeated "
        "and leaflet left; mother said she had been up most of the night."
    ),
    "faeces_or_rot_in_child_areas": (
        "Dirty nappies and rotting food on the living-room floor where the toddler was playing. "
        "Asked mother to clear them while I was there; she cleared the nappies but not the food."
    ),
}

ACTIONS = {
    "lead": "Went through the agreed baseline with {carer}; will take this to the core group.",
    "other": "Talked this through with {carer} using the agreed descriptors. "
             "Lead social worker informed the same day.",
}
BORDERLINE_ACTION = "Discussed with {carer}; will look at this again next visit."

ROUTINE_NOTES: dict[str, Sequence[str]] = {
    "police": ("Welfare visit. Nothing of concern seen in the rooms I went into.",),
    "housing": (
        "Tenancy visit. Checked the boiler and the meter; no repairs outstanding.",
        "Tenancy visit. Smoke alarm tested and working; no repairs reported.",
    ),
    "other": (
        "Home as agreed; {carer} engaged well and showed me round.",
        "Routine visit. No new worries; {carer} says things are manageable.",
        "Everyday mess only. Baby's sleep space clear and safe.",
        "Home warm and tidy enough. Talked about the baby's feeding and sleep routine.",
    ),
}
ANNOUNCED_TIDY = (
    "Announced visit: home noticeably tidier than at the last visit; {carer} said it had "
    "been cleaned that morning."
)

PRESENTATION = {
    1: {"baby": "Baby clean, in a fresh sleepsuit, feeding well.",
        "toddler": "Toddler clean, dressed for the weather and playing happily."},
    2: {"baby": "Baby mostly clean; nappy changed during the visit.",
        "toddler": "Toddler's clothes a little grubby from play but warm enough."},
    3: {"baby": "Baby's sleepsuit stained and nappy wet on arrival.",
        "toddler": "Toddler in dirty clothes and a nappy needing a change."},
    4: {"baby": "Baby in a soiled sleepsuit; nappy heavy and not recently changed; nappy rash.",
        "toddler": "Toddler in soiled clothes, barefoot on a cold floor."},
    5: {"baby": "Baby severely unkempt with untreated, weeping nappy rash.",
        "toddler": "Toddler very dirty, hair matted, clothes soaked with urine."},
}
NOT_SEEN = {
    ("one", "asleep"): "Baby not seen: asleep upstairs and not woken.",
    ("one", "out"): "Baby not seen: out with grandmother during the visit.",
    ("more", "asleep"): "Children not seen: asleep upstairs and not woken.",
    ("more", "out"): "Children not seen: out with their grandmother during the visit.",
}


def carer_words(present: Sequence[str], stages: Sequence[str]) -> str:
    """Who the practitioner talked to, in the words a note would use."""
    if "mother" in present:
        return "mother"
    if "father_or_partner" in present:
        return "mother's partner"
    return "the adult looking after the " + ("baby" if len(stages) == 1 else "children")


def visit_notes(
    author: str,
    scores: Mapping[str, int | None],
    concerns: Sequence[str],
    *,
    carer: str,
    tidied_for_visit: bool,
    rng: random.Random,
    concern_level: int,
) -> str:
    """The visit's note: what was of concern and what was done, or a short routine line."""
    bands = {key: band_of(level, GOOD_ENOUGH_MAX, concern_level)
             for key, level in scores.items() if level is not None}
    worrying = [DOMAIN_NOTES[key][scores[key]] for key, band in bands.items()
                if band is Band.CONCERN]
    borderline = [DOMAIN_NOTES[key][scores[key]] for key, band in bands.items()
                  if band is Band.BORDERLINE]
    if worrying or concerns:
        lines = [CONCERN_NOTES[key] for key in concerns] + worrying + borderline
        lines.append(ACTIONS["lead" if author == "lead" else "other"])
    elif borderline:
        lines = ["Borderline:", *borderline, BORDERLINE_ACTION]
    elif tidied_for_visit:
        lines = [ANNOUNCED_TIDY]
    else:
        lines = [rng.choice(ROUTINE_NOTES.get(author, ROUTINE_NOTES["other"]))]
    return " ".join(lines).format(carer=carer)


def child_presentation(level: int | None, stages: Sequence[str], *, asleep: bool) -> str:
    """How the children looked, by the presentation score; says so when they were not seen."""
    if level is None:
        return NOT_SEEN[("one" if len(stages) == 1 else "more", "asleep" if asleep else "out")]
    return " ".join(PRESENTATION[level][stage] for stage in stages)
