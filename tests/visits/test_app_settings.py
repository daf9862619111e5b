"""The app settings the phone follows (GET /api/v1/app-settings, and the offline kit's
`settings`): the scale with the partnership's concern level, the limits and the time zone,
each the one the server itself enforces."""

from __future__ import annotations

import datetime as dt

import pytest

from homelog.accounts.models import Profession, Role
from tests.factories import visit_body
from tests.support import clock

URL = "/api/v1/app-settings"


@pytest.fixture
def practitioner_and_family(factory):
    practitioner = factory.user()
    return practitioner, factory.family(members=(practitioner,))


@pytest.fixture
def signed_in(client, practitioner_and_family):
    practitioner, _ = practitioner_and_family
    assert client.sign_in(practitioner.email).status_code == 201
    return client


def _fields(response) -> dict:
    assert response.status_code == 422, response.json
    return response.json["error"]["fields"]


def test_the_settings_follow_the_contract(app, signed_in):
    settings = signed_in.get(URL).json
    assert set(settings) == {"scale", "limits", "time_zone"}
    scale = settings["scale"]
    level = scale["concern_min"]
    assert 3 <= level <= 5
    assert {k: scale[k] for k in ("lowest", "highest", "good_enough_max")} == {
        "lowest": 1, "highest": 5, "good_enough_max": 2}
    expected = [{"key": "good_enough", "label": "Good enough", "lowest": 1, "highest": 2},
                {"key": "borderline", "label": "Borderline", "lowest": 3, "highest": level - 1},
                {"key": "concern", "label": "Concern", "lowest": level, "highest": 5}]
    assert scale["bands"] == [band for band in expected if band["lowest"] <= band["highest"]]
    assert set(settings["limits"]) == {
        "clock_skew_seconds", "notes_max", "child_presentation_max", "amendment_reason_max",
        "summary_max", "source_max", "caption_max", "discard_reason_max"}
    assert settings["time_zone"] == app.config["HOMELOG_TIMEZONE"]


def test_the_offline_kit_carries_the_same_settings(signed_in):
    assert signed_in.get("/api/v1/offline-kit").json["settings"] == signed_in.get(URL).json


def test_only_a_signed_in_user_reads_them(client):
    assert client.get(URL).status_code == 401


def test_an_administrator_reads_them_too(factory, client):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    assert client.sign_in(admin.email).status_code == 201
    assert client.get(URL).status_code == 200


def test_the_notes_limits_are_the_ones_a_visit_is_held_to(signed_in, practitioner_and_family,
                                                          monkeypatch, app):
    _, family = practitioner_and_family
    monkeypatch.setitem(app.config, "HOMELOG_NOTES_MAX_CHARS", 40)  # a partnership's choice
    limits = signed_in.get(URL).json["limits"]
    assert limits["notes_max"] == 40
    notes, child = limits["notes_max"], limits["child_presentation_max"]
    assert "notes" in _fields(signed_in.submit_visit(family.id, visit_body(
        notes="n" * (notes + 1))))
    assert "child_presentation" in _fields(signed_in.submit_visit(family.id, visit_body(
        child_presentation="c" * (child + 1))))
    at_the_limit = signed_in.submit_visit(family.id, visit_body(
        notes="n" * notes, child_presentation="c" * child))
    assert at_the_limit.status_code == 201, at_the_limit.json

    reason = limits["amendment_reason_max"]
    url = f"/api/v1/visits/{at_the_limit.json['id']}/amendments"
    assert "reason" in _fields(signed_in.post(url, json={"reason": "r" * (reason + 1),
                                                         "announced": True}))
    assert signed_in.post(url, json={"reason": "r" * reason, "announced": True}
                          ).status_code == 201


def test_the_event_limits_are_the_ones_an_event_is_held_to(signed_in, practitioner_and_family):
    _, family = practitioner_and_family
    limits = signed_in.get(URL).json["limits"]
    url = f"/api/v1/families/{family.id}/events"
    when = (clock.now() - dt.timedelta(hours=1)).isoformat()
    too_long = signed_in.post(url, json={"occurred_at": when, "kind": "other",
                                         "summary": "s" * (limits["summary_max"] + 1),
                                         "source": "o" * (limits["source_max"] + 1)})
    assert set(_fields(too_long)) == {"summary", "source"}
    at_the_limit = signed_in.post(url, json={"occurred_at": when, "kind": "other",
                                             "summary": "s" * limits["summary_max"],
                                             "source": "o" * limits["source_max"]})
    assert at_the_limit.status_code == 201, at_the_limit.json


def test_the_clock_skew_allowance_is_the_one_a_visit_is_held_to(signed_in,
                                                                  practitioner_and_family):
    _, family = practitioner_and_family
    skew = dt.timedelta(seconds=signed_in.get(URL).json["limits"]["clock_skew_seconds"])
    now = clock.now().replace(microsecond=0)
    with clock.frozen_at(now):
        ahead = signed_in.submit_visit(family.id, visit_body(
            visited_at=(now + skew + dt.timedelta(seconds=1)).isoformat()))
        assert "visited_at" in _fields(ahead)
        within = signed_in.submit_visit(family.id, visit_body(
            visited_at=(now + skew).isoformat()))
        assert within.status_code == 201, within.json
