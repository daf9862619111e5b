"""A revised agreement changes what counts as good enough only from its agreed-on date: in
the engine's comparisons (below-agreed streaks, crossings) and in the trends the charts draw."""

import datetime as dt

from homelog.engine.steps.analysis import FamilyFacts, Parameters, VisitFact, analyse
from homelog.exports.gather import build_summary
from homelog.exports.report import Period
from homelog.exports.summary_pdf import SummaryPdf
from homelog.rubric.agreements import Step, level_on, steps_in_force
from tests.engine.support import add_visit, at_days_ago, flags_of
from tests.engine.support import analyse as run_engine
from tests.exports.conftest import read_csv
from tests.factories import DOMAINS
from tests.support import clock

DEFAULTS = {"kitchen": 2, "sleep": 2}
D = dt.date


def test_a_later_revision_rules_from_its_own_date_even_when_backdated():
    steps = steps_in_force([(1, D(2026, 3, 1), {"kitchen": 3}),
                            (2, D(2026, 4, 1), {"kitchen": 1, "garage": 5}),
                            (3, D(2026, 3, 15), {"kitchen": 4})], DEFAULTS)
    # Revision 3 corrects from 15 March on: revision 2's step (1 April) no longer applies.
    assert steps == [Step(None, DEFAULTS), Step(D(2026, 3, 1), {"kitchen": 3, "sleep": 2}),
                     Step(D(2026, 3, 15), {"kitchen": 4, "sleep": 2})]
    assert level_on(steps, D(2026, 2, 28), "kitchen", 2) == 2
    assert level_on(steps, D(2026, 3, 1), "kitchen", 2) == 3
    assert level_on(steps, D(2026, 3, 14), "kitchen", 2) == 3
    assert level_on(steps, D(2026, 5, 1), "kitchen", 2) == 4
    assert steps_in_force([], DEFAULTS) == [Step(None, DEFAULTS)]


def _visit(number: int, day: dt.date, kitchen: int) -> VisitFact:
    at = dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC)
    return VisitFact(id=number, visited_at=at, agency_id=1, agency_name="Health",
                     announced=True, scores={"kitchen": kitchen})


def _facts(visits, steps) -> FamilyFacts:
    return FamilyFacts(
        family_id=1, opened_on=D(2026, 1, 1), plan_started_on=D(2026, 1, 1),
        agreed_levels=dict(steps[-1][1]), domain_names={"kitchen": "Kitchen"},
        concern_labels={}, safe_sleep_concerns=frozenset(), room_labels={},
        core_group_agencies={1: "Health"}, visits=tuple(visits), agreed_steps=steps)


def test_the_pure_analysis_compares_each_visit_with_the_level_then_in_force():
    visits = [_visit(1, D(2026, 3, 2), 3), _visit(2, D(2026, 3, 9), 3),
              _visit(3, D(2026, 3, 20), 3), _visit(4, D(2026, 3, 27), 3)]
    steps = ((None, {"kitchen": 2}), (D(2026, 3, 1), {"kitchen": 3}),
             (D(2026, 3, 15), {"kitchen": 2}))
    as_of = dt.datetime(2026, 3, 28, tzinfo=dt.UTC)
    found = [f for f in analyse(_facts(visits, steps), Parameters(), as_of)
             if f.kind == "below_agreed"]
    assert [f.evidence_visit_ids for f in found] == [(3, 4)]
    assert "agreed level of 2 at 2 visits in a row since 20 Mar" in found[0].explanation
    # The same scores against one level all along: all four visits are worse than agreed.
    flat = ((None, {"kitchen": 2}),)
    all_along = [f for f in analyse(_facts(visits, flat), Parameters(), as_of)
                 if f.kind == "below_agreed"]
    assert all_along[0].evidence_visit_ids == (1, 2, 3, 4)


def _agree(lead, family_id: int, days_ago: int, kitchen: int):
    answer = lead.put(f"/api/v1/families/{family_id}/agreement", json={
        "agreed_on": (clock.today() - dt.timedelta(days=days_ago)).isoformat(),
        "levels": dict.fromkeys(DOMAINS, 2) | {"kitchen": kitchen},
        "attendees": ["Mother"]})
    assert answer.status_code == 200, answer.json


def test_raising_the_level_changes_what_is_below_agreed_only_from_its_date(
        app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = make_client()
    lead.sign_in(family.lead.email)
    _agree(lead, family.id, 40, kitchen=3)   # a 3 was agreed as good enough for now
    _agree(lead, family.id, 12, kitchen=2)   # then the core group asked for the usual 2
    visits = [add_visit(app, family.id, practitioner.id, at_days_ago(days), {"kitchen": 3})
              for days in (30, 20, 8, 3)]
    run_engine(app, [family.id])

    below = [flag for flag in flags_of(app, family.id)
             if flag["kind"] == "below_agreed" and flag["domains"] == ["kitchen"]]
    assert len(below) == 1, below
    assert below[0]["evidence_visit_ids"] == visits[2:]  # the two visits since the revision
    assert "agreed level of 2 at 2 visits in a row" in below[0]["explanation"]

    kitchen = next(domain for domain in lead.get(f"/api/v1/families/{family.id}/trends")
                   .json["domains"] if domain["key"] == "kitchen")
    assert kitchen["agreed_level"] == 2
    assert kitchen["agreed_levels"] == [
        {"starts": None, "level": 2},
        {"starts": (clock.today() - dt.timedelta(days=40)).isoformat(), "level": 3},
        {"starts": (clock.today() - dt.timedelta(days=12)).isoformat(), "level": 2}]
    assert [point["agreed_level"] for point in kitchen["points"]] == [3, 3, 2, 2]
    sleep = next(domain for domain in lead.get(f"/api/v1/families/{family.id}/trends")
                 .json["domains"] if domain["key"] == "sleep")
    assert sleep["agreed_levels"] == [{"starts": None, "level": 2}]  # never changed: one step


def test_the_scores_csv_gives_each_visit_the_level_then_in_force(app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = make_client()
    lead.sign_in(family.lead.email)
    _agree(lead, family.id, 40, kitchen=3)
    _agree(lead, family.id, 12, kitchen=2)
    for days in (20, 3):
        add_visit(app, family.id, practitioner.id, at_days_ago(days), {"kitchen": 3})
    answer = lead.get(f"/api/v1/families/{family.id}/summary.csv")
    assert answer.status_code == 200
    header, *rows = read_csv(answer.data)
    kitchen = [dict(zip(header, row, strict=True)) for row in rows if "kitchen" in row]
    assert [(row["Agreed level"], row["Status"]) for row in kitchen] == [
        ("3", "good enough"), ("2", "borderline")]


def test_the_summary_pdf_marks_each_score_against_the_level_then_in_force(
        app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = make_client()
    lead.sign_in(family.lead.email)
    _agree(lead, family.id, 40, kitchen=3)
    _agree(lead, family.id, 12, kitchen=2)
    for days in (20, 3):
        add_visit(app, family.id, practitioner.id, at_days_ago(days), {"kitchen": 3})
    with app.app_context():
        period = Period(clock.today() - dt.timedelta(days=60), clock.today())
        report = build_summary(family.id, period, "Test lead", clock.now())
        layout = SummaryPdf(report, {})
        kitchen = list(report.domains).index("kitchen")
        strips = [layout._visit_row(visit, 200)[3] for visit in report.visits]
    assert [strip.items[kitchen] for strip in strips] == [(3, "good enough"), (3, "borderline")]
