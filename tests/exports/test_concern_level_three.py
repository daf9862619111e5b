"""A partnership that sets its concern level to 3: the server's visit validation, the engine
and the PDF summary all treat a 3 as a concern (the phone's half is in tests/browser)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from homelog.accounts.models import Profession, Role
from tests.engine.support import analyse
from tests.exports.conftest import Team, pdf_text
from tests.factories import DOMAINS, visit_body
from tests.support import clock
from tests.support.api_client import ApiClient

PARAMETERS = "/api/v1/engine/parameters"


@pytest.fixture
def administrator(factory, make_client) -> ApiClient:
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client = make_client()
    assert client.sign_in(admin.email).status_code == 201
    return client


@pytest.fixture
def set_concern_level(administrator: ApiClient) -> Iterator:
    """Sets the level through the administrator's settings screen; puts it back after."""
    before = int(next(item["value"] for item in administrator.get(PARAMETERS).json["parameters"]
                      if item["name"] == "concern_level"))

    def change(level: int) -> None:
        answer = administrator.put(PARAMETERS, json={"concern_level": level})
        assert answer.status_code == 200, answer.json

    yield change
    change(before)


def _a_three_without_a_note(team: Team):
    return team.practitioner.submit_visit(team.family.id, visit_body(
        visited_at=(clock.now() - dt.timedelta(days=2)).isoformat(),
        scores=dict.fromkeys(DOMAINS, 2) | {"kitchen": 3}))


def test_at_level_three_a_three_is_a_concern_everywhere(app, team: Team, set_concern_level):
    set_concern_level(4)
    assert _a_three_without_a_note(team).status_code == 201  # at 4, a 3 needs no note

    set_concern_level(3)
    settings = team.practitioner.get("/api/v1/app-settings").json
    assert settings["scale"]["concern_min"] == 3
    assert [band["key"] for band in settings["scale"]["bands"]] == ["good_enough", "concern"]
    assert team.practitioner.get("/api/v1/rubric").json["scale"]["concern_min"] == 3

    # The server's validation asks for the note a concern needs, naming the actual scores.
    refused = _a_three_without_a_note(team)
    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["fields"]["notes"] == [
        "Add a note explaining a score of 3 to 5 (kitchen)."]
    noted = team.practitioner.submit_visit(team.family.id, visit_body(
        visited_at=(clock.now() - dt.timedelta(days=1)).isoformat(),
        scores=dict.fromkeys(DOMAINS, 2) | {"kitchen": 3},
        notes="Dishes piling up and some stale food left on the side."))
    assert noted.status_code == 201, noted.json

    # The engine: the latest kitchen score, a 3, is a concern (high), not a borderline note.
    analyse(app, [team.family.id])
    flags = team.lead.get(team.url("flags")).json
    kitchen = [flag for flag in flags if [d["key"] for d in flag["domains"]] == ["kitchen"]]
    assert [(flag["kind"], flag["severity"]) for flag in kitchen] == [("below_agreed", "high")]
    picture = team.lead.get(team.url("concerns")).json["picture"]
    assert any("a concern (3 to 5) in Kitchen" in sentence for sentence in picture), picture

    # The PDF summary calls it a concern, at a glance and in its key.
    pdf = team.lead.get(team.url("summary.pdf"))
    assert pdf.status_code == 200
    text = " ".join(pdf_text(pdf.data).split())
    assert "Kitchen and food hygiene" in text
    glance = text[text.index("At a glance"):]
    kitchen_row = glance[glance.index("Kitchen and food hygiene"):][:120]
    assert "(!!) Concern" in kitchen_row, kitchen_row
    assert "(!!) Concern: 3 or worse." in text
