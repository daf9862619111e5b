"""A revised agreement changes what counts as good enough only from its agreed-on date: in
the engine's comparisons (below-agreed streaks, crossings) and in the trends the charts draw."""

import datetime as dt
import subprocess
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from homelog.engine.steps.analysis import FlagKind
from homelog.rubric.agreements import Step, level_on, steps_in_force
from tests.engine.chronology import HEALTH, Chronology, of_kind, run
from tests.engine.support import analyse as run_engine
from tests.engine.support import at_days_ago, flags_of
from tests.exports.conftest import pdf_text, read_csv
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


def test_the_pure_analysis_compares_each_visit_with_the_level_then_in_force():
    steps = ((None, {"kitchen": 2}), (D(2026, 3, 1), {"kitchen": 3}),
             (D(2026, 3, 15), {"kitchen": 2}))
    revised, flat = Chronology(core=(HEALTH,), steps=steps), Chronology(core=(HEALTH,))
    for family in (revised, flat):  # the same visits, kitchen 3 and nothing else seen
        for day in (D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 20), D(2026, 3, 27)):
            family.visit_at(dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC),
                            base=None, kitchen=3)
    as_of = dt.datetime(2026, 3, 28, tzinfo=dt.UTC)
    found = of_kind(run(revised, as_of), FlagKind.BELOW_AGREED)
    assert [f.evidence_visit_ids for f in found] == [tuple(v.id for v in revised.visits[2:])]
    assert "agreed level of 2 at 2 visits in a row since 20 Mar" in found[0].explanation
    # The same scores against one level all along: all four visits are worse than agreed.
    all_along = of_kind(run(flat, as_of), FlagKind.BELOW_AGREED)
    assert all_along[0].evidence_visit_ids == tuple(v.id for v in flat.visits)


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
    visits = [factory.visit(family.id, practitioner.id, at_days_ago(days), {"kitchen": 3})
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


def test_the_scores_csv_gives_each_visit_the_level_then_in_force(factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = make_client()
    lead.sign_in(family.lead.email)
    _agree(lead, family.id, 40, kitchen=3)
    _agree(lead, family.id, 12, kitchen=2)
    for days in (20, 3):
        factory.visit(family.id, practitioner.id, at_days_ago(days), {"kitchen": 3})
    answer = lead.get(f"/api/v1/families/{family.id}/summary.csv")
    assert answer.status_code == 200
    header, *rows = read_csv(answer.data)
    kitchen = [dict(zip(header, row, strict=True)) for row in rows if "kitchen" in row]
    assert [(row["Agreed level"], row["Status"]) for row in kitchen] == [
        ("3", "good enough"), ("2", "borderline")]


def test_the_summary_pdf_marks_each_score_against_the_level_then_in_force(
        factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = make_client()
    lead.sign_in(family.lead.email)
    _agree(lead, family.id, 40, kitchen=3)
    _agree(lead, family.id, 12, kitchen=2)
    for days in (20, 3):
        factory.visit(family.id, practitioner.id, at_days_ago(days), {"kitchen": 3})
    answer = lead.get(f"/api/v1/families/{family.id}/summary.pdf")
    assert answer.status_code == 200
    assert "Scores worse than the agreed level are in bold" in pdf_text(answer.data)
    # Kitchen first, as the timeline's columns are: the 3 of 20 days ago was good enough
    # then (3 agreed), the 3 of 3 days ago is worse than the 2 agreed since.
    others = [("2", "plain")] * (len(DOMAINS) - 1)
    assert _timeline_scores(answer.data) == [[("3", "plain"), *others],
                                             [("3", "bold"), *others]]


def _timeline_scores(pdf: bytes) -> list[list[tuple[str, str]]]:
    """Each visit row of the PDF's timeline, as a reader sees it: its scores from left to
    right, each plain or in bold (pdftohtml reads the text with its fonts)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "summary.pdf"
        path.write_bytes(pdf)
        xml = subprocess.run(["pdftohtml", "-xml", "-stdout", "-i", str(path)],
                             capture_output=True, check=True, timeout=120).stdout
    rows: dict[tuple[int, int], list[tuple[int, str, str]]] = {}
    in_timeline = False
    for number, page in enumerate(ElementTree.fromstring(xml).iter("page")):
        for item in page.iter("text"):
            words = "".join(item.itertext()).strip()
            in_timeline = in_timeline or words == "Every visit and event, by date"
            if in_timeline and words in {"-", "1", "2", "3", "4", "5"}:
                style = "bold" if item.find("b") is not None else "plain"
                rows.setdefault((number, int(item.get("top"))), []).append(
                    (int(item.get("left")), words, style))
    return [[(words, style) for _, words, style in sorted(row)]
            for _, row in sorted(rows.items())]
