"""The pure analysis, rule by rule: a chronology that must raise each rule on the right date,
and a near miss that must not. No database and no app: these run once, in milliseconds.

The chronologies are built with tests/engine/chronology.py: day 0 is Monday 5 May 2025, and
visits are at 10:00 UTC unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt

import pytest

from homelog.engine.steps.analysis import (
    FlagKind,
    Parameters,
    Severity,
    VisitFact,
    analyse,
    evaluate,
    metrics,
    next_due,
    rolling_medians,
)
from tests.engine.chronology import (
    CHILDREN,
    DOMAINS,
    EVERYONE,
    HEALTH,
    HOUSING,
    PARAMS,
    POLICE,
    Chronology,
    at,
    midnight,
    of_kind,
    one,
    run,
)

# ---- rule 1: below the agreed level, and the borderline note ---------------------------------


def test_below_agreed_at_a_concern_is_high_from_the_visit_that_scored_it() -> None:
    family = Chronology()
    family.visit(0)
    family.visit(3)
    bad = family.visit(6, POLICE, kitchen=4)
    finding = one(run(family), FlagKind.BELOW_AGREED)
    assert finding.severity == Severity.HIGH
    assert finding.key == "below_agreed:kitchen:concern"
    assert finding.became_true_at == bad.visited_at
    assert finding.evidence_visit_ids == (bad.id,)
    assert finding.explanation == ("Kitchen and food hygiene was scored 4 by Demo police on "
                                   "11 May, worse than the agreed level of 2.")


def test_below_agreed_keeps_its_date_while_it_stays_true() -> None:
    family = Chronology()
    family.visit(0)
    first = family.visit(3, kitchen=5)
    family.visit(6, CHILDREN, kitchen=4)
    family.visit(8, CHILDREN, kitchen=None)  # not seen: changes nothing
    finding = one(run(family), FlagKind.BELOW_AGREED)
    assert finding.became_true_at == first.visited_at
    assert finding.evidence_visit_ids == (first.id, first.id + 1)
    assert "at 2 visits in a row since 8 May, most recently 4 (Demo children's services, " \
           "11 May)" in finding.explanation


def test_back_to_good_enough_is_not_below_agreed() -> None:
    family = Chronology()
    family.visit(0, kitchen=4)
    family.visit(3, kitchen=2)
    assert of_kind(run(family), FlagKind.BELOW_AGREED) == []


def test_the_familys_own_agreed_level_is_the_line() -> None:
    family = Chronology(agreed={"kitchen": 3, "sleep": 1})
    family.visit(0, kitchen=3, sleep=1)
    family.visit(3, kitchen=3, sleep=2)
    findings = run(family)
    assert [f.key for f in findings] == ["borderline:sleep"]  # 2 is worse than the agreed 1
    assert "Child's sleep space was scored 2" in findings[0].explanation


def test_a_lone_borderline_score_is_a_low_note_only() -> None:
    family = Chronology()
    family.visit(0, POLICE, kitchen=1)
    three = family.visit(2, POLICE, kitchen=3)  # two levels worse within a week: not a swing
    findings = run(family)
    assert [(f.kind, f.severity) for f in findings] == [(FlagKind.BORDERLINE, Severity.LOW)]
    assert findings[0].became_true_at == three.visited_at
    assert findings[0].explanation == (
        "Kitchen and food hygiene was scored 3 by Demo police on 7 May, just worse than the "
        "agreed level of 2: a single borderline score for the core group to keep an eye on.")


def test_a_lone_borderline_score_another_agency_scored_1_is_still_low() -> None:
    family = Chronology()
    family.visit(0, HEALTH, kitchen=1)
    family.visit(1, POLICE, kitchen=3)
    findings = run(family)
    assert {f.kind for f in findings} == {FlagKind.BORDERLINE, FlagKind.AGENCIES_DISAGREE}
    assert {f.severity for f in findings} == {Severity.LOW}


def test_a_second_borderline_in_a_row_is_medium_from_the_second() -> None:
    family = Chronology()
    family.visit(0)
    first = family.visit(3, kitchen=3)
    second = family.visit(6, CHILDREN, kitchen=3)
    finding = one(run(family), FlagKind.BELOW_AGREED)
    assert (finding.key, finding.severity) == ("below_agreed:kitchen:borderline", Severity.MEDIUM)
    assert finding.became_true_at == second.visited_at
    assert finding.evidence_visit_ids == (first.id, second.id)
    assert of_kind(run(family), FlagKind.BORDERLINE) == []


def test_getting_worse_while_borderline_raises_a_new_concern_flag() -> None:
    family = Chronology()
    family.visit(0, kitchen=3)
    family.visit(3, kitchen=3)
    four = family.visit(6, kitchen=4)
    finding = one(run(family), FlagKind.BELOW_AGREED)
    assert finding.key == "below_agreed:kitchen:concern"
    assert finding.became_true_at == four.visited_at


# ---- rule 2: swing ---------------------------------------------------------------------------


def test_swing_from_good_enough_to_concern_within_a_week() -> None:
    family = Chronology()
    family.visit(0, CHILDREN, kitchen=1)
    good = family.visit(3, HEALTH, kitchen=2, hour=9)
    bad = family.visit(5, POLICE, kitchen=5, hour=21)
    finding = one(run(family), FlagKind.SWING)
    assert finding.severity == Severity.HIGH
    assert finding.key == f"swing:{family.visits[0].id}:{bad.id}"  # from the best score
    assert finding.became_true_at == bad.visited_at
    assert finding.explanation == (
        "Kitchen and food hygiene went from 1 (Demo children's services, 5 May) to 5 "
        "(Demo police, 10 May) in 5 days.")
    assert good.id not in finding.evidence_visit_ids


def test_the_example_sentence_of_the_issue() -> None:
    family = Chronology()
    family.visit(0, HEALTH, kitchen=2)
    family.visit(2, POLICE, kitchen=5)
    assert one(run(family), FlagKind.SWING).explanation == (
        "Kitchen and food hygiene went from 2 (Demo health visiting service, 5 May) to 5 "
        "(Demo police, 7 May) in 2 days.")


def test_domains_swinging_between_the_same_visits_are_one_swing() -> None:
    family = Chronology()
    first = family.visit(0, HEALTH, kitchen=1, floors=2, air=3)
    second = family.visit(1, CHILDREN, unannounced=True, kitchen=5, floors=4, air=5)
    finding = one(run(family), FlagKind.SWING)
    assert finding.key == f"swing:{first.id}:{second.id}"
    assert finding.domains == ("kitchen", "floors", "air")
    assert finding.explanation == (
        "Three areas went to a concern in 1 day, between the visits of Demo health visiting "
        "service on 5 May and Demo children's services on 6 May: Kitchen and food hygiene 1 "
        "to 5; Floors, clutter and access 2 to 4; Smell and air 3 to 5.")


def test_swing_by_two_levels_from_borderline() -> None:
    family = Chronology()
    family.visit(0, kitchen=3)
    family.visit(4, POLICE, kitchen=5)
    assert one(run(family), FlagKind.SWING).domains == ("kitchen",)


@pytest.mark.parametrize(("first", "second", "days"), [
    (2, 4, 8),     # eight calendar days: just outside the week
    (3, 4, 2),     # one level, from borderline
    (1, 3, 2),     # two levels, but ends borderline: a lone 3 never alerts
    (4, 5, 2),     # already a concern
])
def test_near_misses_are_not_swings(first: int, second: int, days: float) -> None:
    family = Chronology()
    family.visit(0, kitchen=first)
    family.visit(days, POLICE, kitchen=second)
    assert of_kind(run(family), FlagKind.SWING) == []


def test_staying_bad_is_one_swing_not_one_per_visit() -> None:
    family = Chronology()
    family.visit(0, kitchen=2)
    family.visit(2, kitchen=4)
    family.visit(4, kitchen=4)
    assert len(of_kind(run(family), FlagKind.SWING)) == 1


def test_swing_respects_the_parameters() -> None:
    family = Chronology()
    family.visit(0, kitchen=2)
    family.visit(9, kitchen=4)
    assert of_kind(run(family), FlagKind.SWING) == []
    wider = Parameters(swing_window_days=10)
    assert len(of_kind(run(family, params=wider), FlagKind.SWING)) == 1


# ---- rule 3: not sustained -------------------------------------------------------------------


def test_not_sustained_after_three_crossings_in_ninety_days() -> None:
    family = Chronology()
    family.visit(0, kitchen=2)
    family.visit(10, kitchen=4)
    family.visit(20, kitchen=2)
    third = family.visit(30, kitchen=4)
    family.visit(40, kitchen=2)  # a fourth: the same flag, same date
    finding = one(run(family), FlagKind.NOT_SUSTAINED)
    assert (finding.key, finding.severity) == ("not_sustained:kitchen", Severity.HIGH)
    assert finding.became_true_at == third.visited_at
    assert finding.explanation == (
        "Kitchen and food hygiene crossed the good-enough line (2) four times in the 90 days "
        "to 14 Jun: improvements have not lasted.")
    assert len(finding.evidence_visit_ids) == 5


def test_not_sustained_between_good_enough_and_borderline_is_medium() -> None:
    family = Chronology()
    for day, score in enumerate((2, 3, 2, 3)):
        family.visit(day * 10, kitchen=score)
    assert one(run(family), FlagKind.NOT_SUSTAINED).severity == Severity.MEDIUM


def test_crossings_spread_over_more_than_ninety_days_are_not_counted_together() -> None:
    family = Chronology()
    for day, score in ((0, 2), (50, 4), (100, 2), (150, 4)):
        family.visit(day, kitchen=score)
    assert of_kind(run(family), FlagKind.NOT_SUSTAINED) == []
    assert metrics(family.facts(), PARAMS, at(150)).crossings_90_days["kitchen"] == 2


def test_not_sustained_stops_when_the_crossings_leave_the_window() -> None:
    family = Chronology()
    for day, score in ((0, 2), (10, 4), (20, 2), (30, 4)):
        family.visit(day, kitchen=score)
    family.visit(105, kitchen=4)  # window 15 May - 18 Aug holds two crossings only
    assert of_kind(run(family), FlagKind.NOT_SUSTAINED) == []


# ---- rule 4: agencies disagree ---------------------------------------------------------------


def test_agencies_two_levels_apart_within_48_hours() -> None:
    family = Chronology()
    first = family.visit(0, HEALTH, kitchen=1, floors=2)
    second = family.visit(1, CHILDREN, hour=20, unannounced=True, kitchen=4, floors=4)
    finding = one(run(family), FlagKind.AGENCIES_DISAGREE)
    assert finding.severity == Severity.MEDIUM
    assert finding.key == f"agencies_disagree:{first.id}:{second.id}"
    assert finding.domains == ("kitchen", "floors")
    assert finding.agency_ids == (HEALTH, CHILDREN)
    assert finding.became_true_at == second.visited_at
    assert finding.explanation == (
        "Demo health visiting service (5 May) and Demo children's services (6 May) scored 2 "
        "areas at least 2 levels apart (Kitchen and food hygiene 1 and 4; Floors, clutter and "
        "access 2 and 4): please compare what you each saw and agree the scores with the lead "
        "social worker.")


def test_one_domain_apart_reads_naturally() -> None:
    family = Chronology()
    family.visit(0, HEALTH, air=1)
    family.visit(1, POLICE, air=3)
    assert one(run(family), FlagKind.AGENCIES_DISAGREE).explanation == (
        "Demo health visiting service scored Smell and air 1 on 5 May and Demo police scored "
        "it 3 on 6 May: please compare what you each saw and agree the score with the lead "
        "social worker.")


@pytest.mark.parametrize(("agency", "hours", "score"), [
    (CHILDREN, 49, 4),   # outside 48 hours
    (HEALTH, 24, 4),     # the same agency
    (CHILDREN, 24, 3),   # one level apart
    (CHILDREN, 24, None),  # not seen by the second
])
def test_near_misses_are_not_disagreements(agency: int, hours: int, score: int | None) -> None:
    family = Chronology()
    family.visit(0, HEALTH, kitchen=2)
    family.visit(hours / 24, agency, kitchen=score)
    assert of_kind(run(family), FlagKind.AGENCIES_DISAGREE) == []


# ---- rule 5: announced vs unannounced gap ----------------------------------------------------


def _alternating(unannounced_score: int | dict[str, int], count: int = 8) -> Chronology:
    family = Chronology()
    for number in range(count):
        unannounced = number % 2 == 1
        if not unannounced:
            family.visit(number * 4, HEALTH, base=1)
        elif isinstance(unannounced_score, int):
            family.visit(number * 4, CHILDREN, unannounced=True, base=unannounced_score)
        else:
            family.visit(number * 4, CHILDREN, unannounced=True, base=1, **unannounced_score)
    return family


def test_unannounced_worse_than_announced_by_a_level() -> None:
    family = _alternating(2)
    finding = one(run(family), FlagKind.ANNOUNCED_GAP)
    assert (finding.key, finding.severity) == ("announced_gap", Severity.HIGH)
    # True from the sixth visit: the first with three visits of each kind.
    assert finding.became_true_at == family.visits[5].visited_at
    assert finding.evidence_visit_ids == tuple(v.id for v in family.visits)
    assert len(finding.domains) == 10
    assert finding.explanation.startswith(
        "Over the 90 days to 2 Jun, unannounced visits scored on average 1 level worse than "
        "announced ones (4 unannounced visits, 4 announced visits), most of all in Kitchen and "
        "food hygiene, Food and infant feeds and Floors, clutter and access:")
    assert metrics(family.facts(), PARAMS, at(30)).announced_gap == 1.0


def test_gap_is_averaged_per_domain_then_across_domains() -> None:
    half = dict.fromkeys(list(DOMAINS)[:5], 2)  # half the domains a level worse: 0.5
    family = _alternating(half)
    assert of_kind(run(family), FlagKind.ANNOUNCED_GAP) == []
    assert metrics(family.facts(), PARAMS, at(30)).announced_gap == 0.5
    many = dict.fromkeys(list(DOMAINS)[:5], 3)  # half the domains two levels worse: 1.0
    assert one(run(_alternating(many)), FlagKind.ANNOUNCED_GAP).domains == tuple(DOMAINS)[:5]


def test_too_few_unannounced_visits_is_no_pattern() -> None:
    family = _alternating(4, count=5)  # three announced, two unannounced
    assert of_kind(run(family), FlagKind.ANNOUNCED_GAP) == []
    assert metrics(family.facts(), PARAMS, at(30)).announced_gap is None


def test_gap_counts_only_the_window() -> None:
    family = _alternating(2)
    for number in range(8):  # 100 days later, the same home whoever calls
        family.visit(120 + number * 4, HEALTH if number % 2 else CHILDREN,
                     unannounced=number % 2 == 1, base=1)
    assert of_kind(run(family), FlagKind.ANNOUNCED_GAP) == []


# ---- rule 6: worsening trend -----------------------------------------------------------------


def _weekly(kitchen: list[int], first_week: int = 0) -> Chronology:
    family = Chronology()
    for week, score in enumerate(kitchen, start=first_week):
        family.visit(week * 7, HEALTH if week % 2 else CHILDREN, unannounced=week % 3 == 0,
                     kitchen=score)
    return family


def test_worsening_trend_once_the_median_has_crossed_the_line() -> None:
    family = _weekly([1, 1, 1, 1, 2, 2, 2, 3, 3])
    finding = one(run(family), FlagKind.WORSENING_TREND)
    assert (finding.key, finding.severity) == ("worsening_trend:kitchen", Severity.MEDIUM)
    # Week 7 (23 Jun): eight weekly medians 1,1,1,1,1.5,2,2,2.5, slope 0.23 a week.
    assert finding.became_true_at == family.visits[7].visited_at
    assert finding.explanation == (
        "Kitchen and food hygiene has been getting worse over the 9 weeks to 30 Jun: its "
        "typical score (the middle score of each fortnight) went from 1 to 3, about 0.3 levels "
        "worse a week.")


def test_no_trend_without_eight_weeks_of_history() -> None:
    family = _weekly([1, 1, 2, 2, 3, 3, 3], first_week=2)
    assert of_kind(run(family), FlagKind.WORSENING_TREND) == []


def test_no_trend_inside_the_good_enough_band() -> None:
    family = _weekly([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    assert of_kind(run(family), FlagKind.WORSENING_TREND) == []


def test_no_trend_when_it_rises_slower_than_the_threshold() -> None:
    family = _weekly([2] * 10 + [3, 3])  # medians 2 ... 2.5, 3: slope 0.1 a week
    assert of_kind(run(family), FlagKind.WORSENING_TREND) == []


def test_rolling_medians_for_the_charts() -> None:
    family = _weekly([1, 3, 2])
    medians = rolling_medians(family.facts(), PARAMS, at(14))["kitchen"]
    assert medians == [(at(0), 1.0), (at(7), 2.0), (at(14), 2.5)]


# ---- rule 7: immediate concerns --------------------------------------------------------------


def test_each_concern_ticked_is_its_own_immediate_finding() -> None:
    family = Chronology()
    family.visit(0)
    visit = family.visit(3, POLICE, hour=22, base=1, concerns=("unsafe_sleep", "no_food"))
    findings = of_kind(run(family), FlagKind.IMMEDIATE_CONCERN)
    assert {f.key for f in findings} == {f"immediate_concern:unsafe_sleep:{visit.id}",
                                         f"immediate_concern:no_food:{visit.id}"}
    assert {f.severity for f in findings} == {Severity.IMMEDIATE}
    assert {f.became_true_at for f in findings} == {visit.visited_at}
    by_key = {f.key.split(":")[1]: f for f in findings}
    assert by_key["unsafe_sleep"].safe_sleep and not by_key["no_food"].safe_sleep
    assert by_key["unsafe_sleep"].explanation == (
        "Demo police recorded a safe-sleep danger at the visit on 8 May: Unsafe sleep.")
    assert by_key["no_food"].explanation == (
        "Demo police recorded an immediate concern at the visit on 8 May: No food or formula.")


def test_no_concern_ticked_no_immediate_finding() -> None:
    family = Chronology()
    family.visit(0, base=5)
    assert of_kind(run(family), FlagKind.IMMEDIATE_CONCERN) == []


def test_immediate_concerns_stay_in_the_answer_after_later_visits() -> None:
    family = Chronology()
    family.visit(0, concerns=("carer_intoxicated",))
    for day in range(3, 30, 3):
        family.visit(day)
    assert len(of_kind(run(family), FlagKind.IMMEDIATE_CONCERN)) == 1


# ---- rule 8: coverage gaps -------------------------------------------------------------------


def test_no_visit_for_fourteen_days_from_the_instant_the_gap_reached_its_limit() -> None:
    family = Chronology()
    family.visit(0, CHILDREN, unannounced=True)
    family.visit(10, HEALTH)
    # 14 calendar days after 15 May is 29 May: the gap is there from its first minute.
    last_minute = midnight(24) - dt.timedelta(minutes=1)
    assert of_kind(run(family, last_minute), FlagKind.NO_RECENT_VISIT) == []
    finding = one(run(family, at(30)), FlagKind.NO_RECENT_VISIT)
    assert (finding.key, finding.severity) == ("no_recent_visit", Severity.MEDIUM)
    assert finding.became_true_at == midnight(24)
    assert finding.explanation == ("Nobody has visited since 15 May (the last was Demo health "
                                   "visiting service): the longest gap agreed is 14 days.")
    assert next_due(family.facts(), PARAMS, at(20)) == midnight(24)
    assert one(run(family, midnight(24)), FlagKind.NO_RECENT_VISIT) == finding


def test_no_unannounced_visit_for_twenty_eight_days() -> None:
    family = Chronology()
    family.visit(0, CHILDREN, unannounced=True)
    for day in range(5, 40, 5):
        family.visit(day, HEALTH if day % 2 else CHILDREN)
    assert of_kind(run(family, at(27, hour=23.9)), FlagKind.NO_RECENT_UNANNOUNCED) == []
    finding = one(run(family), FlagKind.NO_RECENT_UNANNOUNCED)
    assert finding.became_true_at == midnight(28)
    assert finding.explanation == (
        "There has been no unannounced visit since 5 May (7 visits since, all arranged in "
        "advance): the longest gap agreed is 28 days.")


def test_a_core_agency_silent_or_never_visiting() -> None:
    family = Chronology(core=(HEALTH, CHILDREN, POLICE, HOUSING))
    family.visit(0, POLICE, unannounced=True)
    for day in range(4, 40, 4):
        family.visit(day, HEALTH if day % 8 else CHILDREN, unannounced=day % 12 == 0)
    assert of_kind(run(family, at(27, hour=23)), FlagKind.AGENCY_NOT_VISITED) == []
    findings = of_kind(run(family, at(36)), FlagKind.AGENCY_NOT_VISITED)
    police, housing = sorted(findings, key=lambda f: f.key)
    assert police.key == f"agency_not_visited:{POLICE}"
    assert police.became_true_at == midnight(28)
    assert police.agency_ids == (POLICE,)
    assert police.severity == Severity.LOW
    assert police.explanation == ("Demo police, in the core group, has not visited since "
                                  "5 May: 28 days or more.")
    # Housing never visited: the gap runs from midnight on the day the family was opened.
    assert housing.became_true_at == dt.datetime(2025, 6, 2, tzinfo=dt.UTC)
    assert housing.explanation == ("Demo housing, in the core group, has not visited since the "
                                   "family was opened on 5 May: 28 days or more.")
    assert metrics(family.facts(), PARAMS, at(36)).days_since_agency_visit == {
        HEALTH: 0, CHILDREN: 4, POLICE: 36, HOUSING: None}


def test_rooms_never_seen_once_five_visits_are_recorded() -> None:
    family = Chronology()
    rooms = ("kitchen", "living_room", "bathroom", "parents_bedroom")
    for day in range(0, 16, 4):
        family.visit(day, rooms=rooms)
    assert of_kind(run(family), FlagKind.ROOM_NEVER_SEEN) == []
    fifth = family.visit(16, rooms=rooms)
    finding = one(run(family), FlagKind.ROOM_NEVER_SEEN)
    assert (finding.key, finding.severity) == ("room_never_seen:child_bedroom", Severity.MEDIUM)
    assert finding.became_true_at == fifth.visited_at
    assert finding.explanation == "Child's bedroom has not been seen at any of the 5 visits " \
                                  "since 5 May."
    family.visit(20, rooms=("child_bedroom",))
    assert of_kind(run(family), FlagKind.ROOM_NEVER_SEEN) == []


def test_father_or_partner_never_seen() -> None:
    family = Chronology()
    for day in range(0, 20, 4):
        family.visit(day, present=("mother", "children_seen"))
    finding = one(run(family), FlagKind.FATHER_NEVER_SEEN)
    assert finding.became_true_at == family.visits[4].visited_at
    assert finding.explanation == ("No father or partner has been seen at any of the 5 visits "
                                   "since 5 May.")
    family.visits[2] = VisitFact(**{**family.visits[2].__dict__, "present": EVERYONE})
    assert of_kind(run(family), FlagKind.FATHER_NEVER_SEEN) == []


# ---- rule 9: cumulative exposure -------------------------------------------------------------


def test_days_at_concern_since_the_plan_started() -> None:
    family = Chronology(plan_day=5)
    family.visit(0, kitchen=5)       # before the plan: counted from the plan's start
    family.visit(8, kitchen=2)       # kitchen: days 5-8 = 3 days
    family.visit(10, floors=4)       # floors: days 10-15 = 5
    family.visit(12, floors=None)    # not seen: still 4
    family.visit(15, floors=2)
    family.visit(20, air=4)          # air: days 20 - as_of (22) = 2
    figures = metrics(family.facts(), PARAMS, at(22))
    assert figures.days_at_concern_since_plan == 10
    assert figures.days_at_concern_by_domain == {"kitchen": 3, "floors": 5, "air": 2}
    assert not [f for f in run(family, at(22)) if "exposure" in f.key]


def test_overlapping_concerns_count_once_for_the_family() -> None:
    family = Chronology()
    family.visit(0, kitchen=4)
    family.visit(5, kitchen=4, floors=5)
    family.visit(10, kitchen=2, floors=None)
    family.visit(15, kitchen=None, floors=1)
    figures = metrics(family.facts(), PARAMS, at(30))
    assert figures.days_at_concern_by_domain == {"kitchen": 10, "floors": 10}
    assert figures.days_at_concern_since_plan == 15


# ---- sustained improvement -------------------------------------------------------------------


def test_improvement_is_sustained_after_three_good_visits_over_four_weeks() -> None:
    family = Chronology()
    family.visit(0, kitchen=4)
    family.visit(7, kitchen=2)
    family.visit(21, CHILDREN, unannounced=True, kitchen=1)
    assert metrics(family.facts(), PARAMS, at(21)).sustained_improvement == {"kitchen": False}
    third = family.visit(35, kitchen=2)
    figures = metrics(family.facts(), PARAMS, at(35))
    assert figures.sustained_improvement == {"kitchen": True}
    assert figures.sustained["kitchen"].visits == 3
    assert figures.sustained["kitchen"].days == 28
    finding = one(run(family), FlagKind.SUSTAINED_IMPROVEMENT)
    assert (finding.key, finding.severity) == ("sustained_improvement:kitchen", Severity.LOW)
    assert finding.became_true_at == third.visited_at
    assert finding.explanation == (
        "Kitchen and food hygiene has been good enough at 3 visits in a row over 28 days since "
        "12 May, including 1 unannounced, after 4 on 5 May: the improvement has lasted.")


@pytest.mark.parametrize(("days", "unannounced"), [
    ((7, 21, 34), True),    # 27 days
    ((7, 21, 35), False),   # no unannounced visit among them
    ((7, 35), True),        # two visits
])
def test_improvement_not_yet_sustained(days: tuple[int, ...], unannounced: bool) -> None:
    family = Chronology()
    family.visit(0, kitchen=4)
    for number, day in enumerate(days):
        family.visit(day, kitchen=2, unannounced=unannounced and number == 1)
    assert metrics(family.facts(), PARAMS, at(40)).sustained_improvement == {"kitchen": False}
    assert of_kind(run(family), FlagKind.SUSTAINED_IMPROVEMENT) == []


def test_no_improvement_to_report_after_a_lone_borderline_score() -> None:
    family = Chronology()
    family.visit(0, kitchen=3)
    for day in (7, 21, 35):
        family.visit(day, kitchen=2, unannounced=day == 21)
    assert metrics(family.facts(), PARAMS, at(35)).sustained_improvement == {"kitchen": True}
    assert of_kind(run(family), FlagKind.SUSTAINED_IMPROVEMENT) == []


# ---- the interface ---------------------------------------------------------------------------


def test_visits_after_as_of_are_never_read() -> None:
    family = Chronology()
    family.visit(0)
    family.visit(3, kitchen=5, concerns=("no_food",))
    assert run(family, at(2)) == []
    assert metrics(family.facts(), PARAMS, at(2)).days_since_last_visit == 2


def test_dates_are_local_dates() -> None:
    from zoneinfo import ZoneInfo

    family = Chronology(zone=ZoneInfo("Europe/London"))
    family.visit(0, kitchen=2)
    family.visit(1, POLICE, hour=23.5, kitchen=5)  # 00:30 on 7 May in London
    assert one(run(family), FlagKind.SWING).explanation.endswith(
        "to 5 (Demo police, 7 May) in 2 days.")


def test_unordered_visits_are_read_in_time_order() -> None:
    family = Chronology()
    family.visit(2, POLICE, kitchen=5)
    family.visit(0, kitchen=2)
    assert len(of_kind(run(family, at(3)), FlagKind.SWING)) == 1


def test_no_unannounced_visit_ever() -> None:
    family = Chronology(opened_day=0)
    family.visit(25)
    finding = one(run(family, at(29)), FlagKind.NO_RECENT_UNANNOUNCED)
    assert finding.became_true_at == dt.datetime(2025, 6, 2, tzinfo=dt.UTC)
    assert finding.explanation == (
        "There has been no unannounced visit since the family was opened on 5 May (1 visit "
        "since, all arranged in advance): the longest gap agreed is 28 days.")


def test_evaluate_is_analyse_and_metrics_in_one_pass() -> None:
    family = Chronology(core=(HEALTH, CHILDREN, POLICE))
    for day, score in ((0, 2), (3, 5), (9, 2), (15, 4), (21, 2)):
        family.visit(day, HEALTH if day % 2 else CHILDREN, unannounced=day == 3, kitchen=score)
    facts = family.facts()
    assert evaluate(facts, PARAMS, at(40)) == (analyse(facts, PARAMS, at(40)),
                                               metrics(facts, PARAMS, at(40)))


def test_a_family_with_no_visits_yet() -> None:
    family = Chronology(core=(HEALTH,))
    facts = family.facts()
    assert analyse(facts, PARAMS, at(10)) == []
    late = {f.kind for f in analyse(facts, PARAMS, at(30))}
    assert late == {FlagKind.NO_RECENT_VISIT, FlagKind.NO_RECENT_UNANNOUNCED,
                    FlagKind.AGENCY_NOT_VISITED}
    found, figures = evaluate(facts, PARAMS, at(30))
    assert figures.days_since_last_visit is None and figures.crossings_90_days == {}
    assert {f.kind for f in found} == late
