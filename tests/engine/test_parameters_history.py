"""The engine settings as the settings screen reads them: each with a plain name, its group
and its default, and the history of changes: who changed what from what to what, when."""

from __future__ import annotations

import datetime as dt

import time_machine

from homelog.accounts.models import Profession, Role
from homelog.engine.parameter_words import LABELS
from homelog.engine.parameters import CATALOGUE
from tests.support import clock
from tests.support.api_client import ApiClient

URL = "/api/v1/engine/parameters"


def _admin(factory, make_client) -> tuple[ApiClient, int]:
    user = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client = make_client()
    assert client.sign_in(user.email).status_code == 201
    return client, user.id


def test_every_setting_has_a_plain_name_a_group_and_its_default(factory, make_client):
    client, _ = _admin(factory, make_client)
    listed = client.get(URL).json["parameters"]
    assert [item["name"] for item in listed] == list(LABELS)
    assert set(LABELS) == set(CATALOGUE)
    for item in listed:
        assert item["label"] and item["group"] and item["description"]
        assert item["default"] == CATALOGUE[item["name"]].default
        assert item["whole_number"] is isinstance(CATALOGUE[item["name"]].default, int)


def test_the_history_says_who_changed_what_from_what_to_what_and_when(factory, make_client):
    client, admin_id = _admin(factory, make_client)
    values = {item["name"]: item["value"] for item in client.get(URL).json["parameters"]}
    old_days, old_level = values["no_visit_days"], values["announced_gap_min_levels"]
    new_days = 21 if old_days != 21 else 20
    new_level = 1.5 if old_level != 1.5 else 1.25
    first = client.get(f"{URL}/history").json["entries"]
    at = clock.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    try:
        with time_machine.travel(at, tick=False):
            changed = client.put(URL, json={"no_visit_days": new_days,
                                            "announced_gap_min_levels": new_level})
        assert changed.status_code == 200, changed.json
        # The same values again change nothing, and add nothing to the history.
        assert client.put(URL, json={"no_visit_days": new_days}).status_code == 200
        history = client.get(f"{URL}/history").json
        latest = history["entries"][0]
        assert len(history["entries"]) == min(len(first) + 1, 50)
        assert latest["by"]["id"] == admin_id and latest["by"]["name"] == "Test administrator"
        assert dt.datetime.fromisoformat(latest["at"]) == at
        assert latest["changes"] == [
            {"name": "announced_gap_min_levels", "label": LABELS["announced_gap_min_levels"],
             "unit": "levels", "from": old_level, "to": new_level},
            {"name": "no_visit_days", "label": LABELS["no_visit_days"], "unit": "days",
             "from": old_days, "to": new_days}]
    finally:
        client.put(URL, json={"no_visit_days": old_days, "announced_gap_min_levels": old_level})


def test_the_history_pages_newest_first(factory, make_client):
    client, _ = _admin(factory, make_client)
    old = next(item["value"] for item in client.get(URL).json["parameters"]
               if item["name"] == "digest_hour")
    try:
        for hour in (3, 4, 5):
            assert client.put(URL, json={"digest_hour": hour}).status_code == 200
        page = client.get(f"{URL}/history", query_string={"limit": 2}).json
        assert [e["changes"][0]["to"] for e in page["entries"]] == [5, 4]
        assert page["next_before"] == page["entries"][-1]["id"]
        older = client.get(f"{URL}/history", query_string={
            "limit": 2, "before": page["next_before"]}).json
        assert older["entries"][0]["changes"][0]["to"] == 3
    finally:
        client.put(URL, json={"digest_hour": int(old)})


def test_only_administrators_read_the_history(factory, make_client):
    for role in (Role.PRACTITIONER, Role.LEAD_SOCIAL_WORKER, Role.MANAGER):
        client = make_client()
        assert client.sign_in(factory.user(role).email).status_code == 201
        refused = client.get(f"{URL}/history")
        assert refused.status_code == 403
        assert refused.json["error"]["message"] == "Your role does not allow this."
    assert make_client().get(f"{URL}/history").status_code == 401


def test_an_out_of_range_value_is_refused_naming_the_setting(factory, make_client):
    client, _ = _admin(factory, make_client)
    refused = client.put(URL, json={"no_visit_days": 0, "digest_hour": 24})
    assert refused.status_code == 422
    assert set(refused.json["error"]["fields"]) == {"no_visit_days", "digest_hour"}
