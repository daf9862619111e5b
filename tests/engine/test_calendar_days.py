"""Days as people count them: calendar dates in the partnership's zone (core.time.calendar_day).

The examples are the ones that went wrong when a day was 24 hours: just after midnight, a
visit late in the evening, and the Sundays the clocks change in London.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from homelog.core.time import calendar_day, days_between, start_of_day
from homelog.engine.steps.analysis import FlagKind, analyse, metrics, next_due
from tests.engine.chronology import HEALTH, PARAMS, POLICE, Chronology

LONDON = ZoneInfo("Europe/London")


def london(*parts: int) -> dt.datetime:
    """A local time in London, as an instant."""
    return dt.datetime(*parts, tzinfo=LONDON)


def test_a_visit_three_dates_back_is_three_days_ago_whatever_the_hour() -> None:
    visited = london(2026, 12, 2, 11, 0)
    assert days_between(visited, london(2026, 12, 5, 0, 30), LONDON) == 3
    assert days_between(visited, london(2026, 12, 4, 23, 59), LONDON) == 2
    assert days_between(visited, london(2026, 12, 2, 23, 59), LONDON) == 0


def test_the_caseload_figure_just_after_midnight() -> None:
    family = Chronology(zone=LONDON)
    family.visit_at(london(2026, 12, 2, 11, 0))
    figures = metrics(family.facts(), PARAMS, london(2026, 12, 5, 0, 30))
    assert figures.days_since_last_visit == 3  # 2 December to 5 December, not 61 hours


def test_a_late_evening_visit_in_summer_is_dated_by_the_local_calendar() -> None:
    # 23:30 UTC on 1 July is 00:30 on 2 July in London: that evening it was 0 days ago.
    visited = dt.datetime(2027, 7, 1, 23, 30, tzinfo=dt.UTC)
    assert calendar_day(visited, LONDON) == dt.date(2027, 7, 2).toordinal()
    assert days_between(visited, london(2027, 7, 2, 20, 0), LONDON) == 0


def test_the_short_and_the_long_sunday_are_one_day_each() -> None:
    # 30 March 2025 has 23 hours in London, 26 October 2025 has 25.
    assert days_between(london(2025, 3, 29, 23, 30), london(2025, 3, 30, 23, 30), LONDON) == 1
    assert days_between(london(2025, 3, 30, 0, 10), london(2025, 3, 30, 23, 50), LONDON) == 0
    assert days_between(london(2025, 10, 25, 0, 30), london(2025, 10, 26, 23, 30), LONDON) == 1
    spring = start_of_day(dt.date(2025, 3, 31), LONDON) - start_of_day(dt.date(2025, 3, 30),
                                                                        LONDON)
    autumn = start_of_day(dt.date(2025, 10, 27), LONDON) - start_of_day(dt.date(2025, 10, 26),
                                                                         LONDON)
    assert (spring, autumn) == (dt.timedelta(hours=23), dt.timedelta(hours=25))


def test_a_gap_comes_true_at_local_midnight_across_the_clock_change() -> None:
    family = Chronology(zone=LONDON)
    # The last visit on Monday 13 October 2025 (BST); 14 days later is Monday 27 October (GMT).
    family.visit_at(london(2025, 10, 13, 16, 0))
    due = london(2025, 10, 27, 0, 0)
    assert due.utcoffset() == dt.timedelta(0)
    assert next_due(family.facts(), PARAMS, london(2025, 10, 20, 12, 0)) == due
    before = analyse(family.facts(), PARAMS, due - dt.timedelta(seconds=1))
    after = analyse(family.facts(), PARAMS, due)
    assert FlagKind.NO_RECENT_VISIT not in {finding.kind for finding in before}
    gap = next(finding for finding in after if finding.kind == FlagKind.NO_RECENT_VISIT)
    assert gap.became_true_at == due
    assert "since 13 Oct" in gap.explanation


def test_a_swing_within_a_week_counts_dates_not_hours() -> None:
    family = Chronology()
    family.visit(0, HEALTH, kitchen=2, hour=8)
    family.visit(7, POLICE, kitchen=4, hour=20)  # 7 days and 12 hours later: still 7 dates
    swing = next(finding for finding in analyse(family.facts(), PARAMS, family.visits[-1]
                                                  .visited_at) if finding.kind == FlagKind.SWING)
    assert swing.explanation.endswith("in 7 days.")


def test_crossings_in_the_ninety_days_reach_back_to_the_ninetieth_day() -> None:
    family = Chronology(agreed={"kitchen": 2})
    family.visit(0, kitchen=2)
    family.visit(5, kitchen=4, hour=8)    # a crossing 90 dates (90 days 12 hours) before the last
    family.visit(50, kitchen=2)
    family.visit(95, kitchen=4, hour=20)
    crossings = metrics(family.facts(), PARAMS, family.visits[-1].visited_at).crossings_90_days
    assert crossings["kitchen"] == 3


def test_days_at_a_concern_are_counted_in_dates() -> None:
    family = Chronology(zone=LONDON)  # opened, and the plan started, on 5 May 2025
    family.visit_at(london(2026, 11, 1, 23, 0), kitchen=5)
    family.visit_at(london(2026, 11, 11, 1, 0), kitchen=2)
    figures = metrics(family.facts(), PARAMS, london(2026, 12, 1, 12, 0))
    assert figures.days_at_concern_since_plan == 10  # 1 to 11 November, though 9 days and 2 h

