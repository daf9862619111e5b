"""Findings grouped into concerns (engine/steps/concerns.py) and the family picture: nothing lost.

A property test over random visit histories: every finding is in exactly one concern, each
concern's severity is the highest of its findings', a domain has at most one concern, and
immediate concerns are never merged with anything.
"""

from __future__ import annotations

from collections import Counter
from itertools import accumulate

from hypothesis import given, settings
from hypothesis import strategies as st

from homelog.engine.steps.analysis import FlagKind, Severity, analyse
from homelog.engine.steps.concerns import SEVERITY_RANK, group
from homelog.engine.steps.picture import family_picture
from tests.engine.chronology import (
    CHILDREN,
    DOMAINS,
    HEALTH,
    HOUSING,
    PARAMS,
    POLICE,
    ROOMS,
    Chronology,
    at,
)

AGENCIES = (HEALTH, CHILDREN, POLICE, HOUSING)
SCORE = st.one_of(st.none(), st.integers(1, 5))
# A visit: the days since the one before, and what Chronology.visit is told of it.
VISIT = st.tuples(st.floats(0.1, 12), st.fixed_dictionaries({
    "hour": st.floats(7, 21), "agency": st.sampled_from(AGENCIES),
    "unannounced": st.booleans(),
    "concerns": st.lists(st.sampled_from(("unsafe_sleep", "no_food")), max_size=1).map(tuple),
    "present": st.sampled_from((("mother",), ("mother", "father_or_partner"))),
    "rooms": st.sets(st.sampled_from(tuple(ROOMS)), min_size=1).map(tuple),
    **dict.fromkeys(DOMAINS, SCORE),
}))


@settings(max_examples=120, deadline=None)
@given(visits=st.lists(VISIT, min_size=1, max_size=40), later=st.floats(0, 40))
def test_every_finding_is_in_exactly_one_concern(
        visits: list[tuple[float, dict]], later: float) -> None:
    family = Chronology(core=AGENCIES, agreed={"kitchen": 3})
    days = accumulate(gap for gap, _ in visits)
    for day, (_, visit) in zip(days, visits, strict=True):
        family.visit(day, **visit)
    findings = analyse(family.facts(), PARAMS, family.visits[-1].visited_at
                       + (at(later) - at(0)))
    concerns = group(findings, DOMAINS)

    held = Counter(finding for concern in concerns for finding in concern.findings)
    assert held == Counter(findings)  # each finding once, none lost, none invented
    for concern in concerns:
        assert concern.severity == max((f.severity for f in concern.findings),
                                       key=SEVERITY_RANK.get)
        if concern.immediate:
            assert [f.kind for f in concern.findings] == [FlagKind.IMMEDIATE_CONCERN]
        assert concern.immediate or concern.sentence.startswith(concern.title)
    domains = [domain for concern in concerns for domain in concern.domains]
    assert len(domains) == len(set(domains))  # at most one concern per domain
    immediate = [concern.immediate for concern in concerns]
    assert immediate == sorted(immediate, reverse=True)  # immediate concerns first
    picture = family_picture(concerns, DOMAINS, has_visits=True,
                             concern_level=PARAMS.concern_level)
    assert 2 <= len(picture) <= 4 and all(sentence.endswith(".") for sentence in picture)


def test_four_findings_about_one_kitchen_are_one_concern() -> None:
    family = Chronology(core=(HEALTH, POLICE))
    for day, kitchen in enumerate((2, 4, 2, 4, 2, 4, 5, 5)):
        family.visit(day * 3, POLICE if day % 2 else HEALTH, kitchen=kitchen)
    findings = analyse(family.facts(), PARAMS, family.visits[-1].visited_at)
    kitchen = {f.kind for f in findings if f.domains == ("kitchen",)}
    assert {FlagKind.BELOW_AGREED, FlagKind.NOT_SUSTAINED, FlagKind.SWING} <= kitchen
    (concern,) = [c for c in group(findings, DOMAINS) if c.domain == "kitchen"]
    assert concern.severity == Severity.HIGH
    assert concern.sentence == (
        "Kitchen and food hygiene: worse than the agreed 2 at 3 visits in a row since 20 May, "
        "most recently 5 (Demo police, 26 May); also improvements not lasting and four sudden "
        "changes.")
    # Every finding keeps its whole sentence, one tap away.
    assert {f.explanation for f in concern.findings} == {
        f.explanation for f in findings if f.domains == ("kitchen",)}


def test_an_immediate_concern_stays_on_its_own_and_first() -> None:
    family = Chronology(core=(HEALTH, POLICE))
    family.visit(0, HEALTH, kitchen=4)
    family.visit(1, POLICE, kitchen=4, concerns=("unsafe_sleep",))
    concerns = group(analyse(family.facts(), PARAMS, family.visits[-1].visited_at), DOMAINS)
    first = concerns[0]
    assert first.immediate and first.safe_sleep and first.title == "Safe sleep"
    assert first.sentence == ("Demo police recorded a safe-sleep danger at the visit on 6 May: "
                              "Unsafe sleep.")
    picture = family_picture(concerns, DOMAINS, has_visits=True,
                             concern_level=PARAMS.concern_level)
    assert picture[0] == ("Worse than agreed in one area: a concern (4 or 5) in Kitchen and "
                          "food hygiene.")
    assert not any("Unsafe sleep" in sentence for sentence in picture)  # its card says it


def test_a_settled_family_has_a_calm_picture() -> None:
    family = Chronology(core=(HEALTH,))
    family.visit(0, HEALTH, unannounced=True)
    concerns = group(analyse(family.facts(), PARAMS, family.visits[-1].visited_at), DOMAINS)
    assert concerns == []
    assert family_picture(concerns, DOMAINS, has_visits=True,
                          concern_level=PARAMS.concern_level) == [
        "Every area seen is at or better than the agreed level.", "Visits are up to date."]
