"""Early signs said as such (rules/early_signs.py): the first unannounced visits far worse than
the announced ones, and an agency's first visit contradicting everyone else's."""

from __future__ import annotations

from homelog.engine.steps.analysis import FlagKind, Severity
from homelog.engine.steps.concerns import group
from tests.engine.chronology import (
    CHILDREN,
    DOMAINS,
    HEALTH,
    POLICE,
    Chronology,
    of_kind,
    one,
    replayed_kinds,
    run,
)


def _announced_weeks(family: Chronology, visits: int = 9) -> None:
    for number in range(visits):
        family.visit(number * 3, HEALTH if number % 2 else CHILDREN)  # every domain 2


def test_the_only_unannounced_visit_far_worse_is_said_at_once_as_an_early_sign() -> None:
    family = Chronology(core=(HEALTH, CHILDREN, POLICE))
    _announced_weeks(family)
    bad = family.visit(28, POLICE, unannounced=True, base=4)
    early = one(run(family), FlagKind.EARLY_ANNOUNCED_GAP)
    assert early.severity == Severity.LOW and early.became_true_at == bad.visited_at
    assert early.explanation.startswith(
        "An early sign: the only unannounced visit so far, on 2 Jun, scored on average "
        "2 levels worse than the 9 announced ones, most of all in ")
    assert "It rests on 1 visit" in early.explanation
    assert of_kind(run(family), FlagKind.ANNOUNCED_GAP) == []
    (concern,) = [c for c in group(run(family), DOMAINS) if c.key == "announced_gap"]
    assert concern.sentence.startswith("Announced and unannounced visits: early sign: the only")


def test_the_early_sign_gives_way_to_the_full_rule_once_enough_unannounced_visits_exist() -> None:
    family = Chronology(core=(HEALTH, CHILDREN, POLICE))
    _announced_weeks(family)
    for day in (28, 30, 32):
        family.visit(day, POLICE, unannounced=True, base=4)
    assert of_kind(run(family), FlagKind.EARLY_ANNOUNCED_GAP) == []
    assert one(run(family), FlagKind.ANNOUNCED_GAP).severity == Severity.HIGH
    two = run(family, family.visits[-2].visited_at)
    assert "both unannounced visits so far" in one(two, FlagKind.EARLY_ANNOUNCED_GAP).explanation


def test_an_unannounced_visit_a_little_worse_is_no_early_sign() -> None:
    family = Chronology(core=(HEALTH, CHILDREN, POLICE))
    _announced_weeks(family)
    family.visit(28, POLICE, unannounced=True, base=3)
    assert of_kind(run(family), FlagKind.EARLY_ANNOUNCED_GAP) == []


def test_an_agencys_first_visit_against_everyone_elses_scores() -> None:
    family = Chronology(core=(HEALTH, CHILDREN, POLICE))
    for day, kitchen in ((0, 1), (4, 2), (8, 2), (12, 1)):
        family.visit(day, HEALTH if day % 8 else CHILDREN, kitchen=kitchen)
    first = family.visit(15, POLICE, kitchen=5)
    finding = one(run(family), FlagKind.FIRST_VISIT_CONTRADICTS)
    assert finding.key == f"first_visit_contradicts:{first.id}"
    assert (finding.severity, finding.domains) == (Severity.LOW, ("kitchen",))
    assert finding.agency_ids == (POLICE,)
    assert finding.explanation == (
        "Demo police's first visit, on 20 May, differs from every score the other agencies "
        "gave in the 28 days before (4 visits): Kitchen and food hygiene 5 where they scored "
        "1 to 2. It is one visit: compare what each of you saw before it is explained away.")
    family.visit(18, POLICE, kitchen=5)  # a second visit is not a first impression
    assert [f.key for f in of_kind(run(family), FlagKind.FIRST_VISIT_CONTRADICTS)] == [
        finding.key]
    (kitchen,) = [c for c in group(run(family), DOMAINS) if c.domain == "kitchen"]
    assert finding in kitchen.findings


def test_a_first_visit_close_to_some_other_score_is_no_contradiction() -> None:
    family = Chronology(core=(HEALTH, CHILDREN, POLICE))
    for day, kitchen in ((0, 1), (4, 2), (8, 3), (12, 1)):
        family.visit(day, HEALTH if day % 8 else CHILDREN, kitchen=kitchen)
    family.visit(15, POLICE, kitchen=4)  # 3 was seen before: one level apart
    assert of_kind(run(family), FlagKind.FIRST_VISIT_CONTRADICTS) == []


def test_a_replay_finds_the_early_signs_on_the_same_dates_as_analysing_at_once() -> None:
    family = Chronology(core=(HEALTH, CHILDREN, POLICE))
    _announced_weeks(family)
    # The police's first visit, unannounced and 2 levels worse everywhere: both early signs.
    family.visit(28, POLICE, unannounced=True, base=4, hour=19)
    family.visit(33, HEALTH)
    family.visit(36, POLICE, unannounced=True, base=4)
    family.visit(40, POLICE, unannounced=True, base=4)  # the third: rule 5 takes over
    kinds = replayed_kinds(family.facts())
    assert {FlagKind.EARLY_ANNOUNCED_GAP, FlagKind.FIRST_VISIT_CONTRADICTS,
            FlagKind.ANNOUNCED_GAP} <= kinds
