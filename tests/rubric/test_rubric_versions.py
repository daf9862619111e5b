"""Rubric versions: files loaded with line-numbered problems, and domains mapped across
versions so charts and the engine compare like with like."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest

from homelog.accounts.models import Profession, Role
from homelog.engine.facts import family_facts
from homelog.engine.parameters import analysis_parameters
from homelog.engine.steps import analysis
from homelog.rubric.loading import read_rubric_text
from homelog.rubric.services import current_rubric, default_rubric_content
from tests.engine.support import analyse, at_days_ago, flags_of
from tests.factories import DOMAINS, unique
from tests.support import clock


def _default() -> dict:
    with open("homelog/rubric/data/default_rubric.json", encoding="utf-8") as file:
        return json.load(file)


def _admin(factory, make_client):
    client = make_client()
    client.sign_in(factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR).email)
    return client


def _broken_text() -> str:
    content = _default()
    kitchen = content["domains"][0]
    kitchen["levels"]["6"] = kitchen["levels"].pop("5")          # line 21
    content["domains"][1]["good_enough_level"] = 9               # line 27
    del content["domains"][2]["name"]                            # the domain's first line
    content["domains"][3]["colour"] = "red"
    content["domains"][5]["continues"] = ["kitchn"]
    return json.dumps(content, indent=2)


SIX, NINE, COLOUR, KITCHENS, GARAGE = ('"6"', '"good_enough_level": 9', '"colour"',
                                       '"kitchens"', '"garage"')


def _line_of(text: str, fragment: str, after: int = 0) -> int:
    lines = text.splitlines()
    return next(number for number, line in enumerate(lines, 1)
                if number > after and fragment in line)


def test_every_problem_in_a_file_is_named_with_its_line(app):
    text = _broken_text()
    with app.app_context():
        current_rubric()  # the version the file's mapping is checked against
        content, problems = read_rubric_text(text)
    assert content is None
    said = [str(problem) for problem in problems]
    assert f"line {_line_of(text, SIX)}: domain 'kitchen': level 6 is outside 1-5" in said
    assert (f"line {_line_of(text, NINE)}: domain 'food': "
            "good-enough level: 9 is outside 1-5") in said
    floors = _line_of(text, '"key": "floors"') - 1  # the domain's opening brace
    assert f"line {floors}: domain 'floors': 'name' is missing" in said
    assert (f"line {_line_of(text, COLOUR)}: domain 'bathroom': 'colour' is not part "
            "of a rubric file") in said
    kitchn = _line_of(text, '"kitchn"')
    assert any(line.startswith(f"line {kitchn}: domain 'hazards' continues 'kitchn', which "
                               "is not a domain of version") for line in said)
    assert len(said) == 5
    assert [problem.position.line for problem in problems] == sorted(
        problem.position.line for problem in problems)


def test_text_that_is_not_json_says_where_reading_stopped(app):
    with app.app_context():
        _, problems = read_rubric_text('{\n  "name": "x",\n  "domains": [1,,2]\n}')
    assert [str(problem) for problem in problems] == [
        "line 3, column 17: a value is missing here, or it is not valid JSON"]


def test_a_file_with_problems_is_refused_line_by_line_and_nothing_is_loaded(
        factory, make_client):
    admin = _admin(factory, make_client)
    before = admin.get("/api/v1/rubric/versions").json
    refused = admin.post("/api/v1/rubric/versions",
                         json={"file_name": "ours.json", "text": _broken_text()})
    assert refused.status_code == 422
    lines = refused.json["error"]["fields"]["file"]
    assert len(lines) == 5 and all(line.startswith("line ") for line in lines)
    assert admin.get("/api/v1/rubric/versions").json == before
    garbage = admin.post("/api/v1/rubric/versions", json={"text": "\x01 not json"})
    assert garbage.status_code == 422
    assert garbage.json["error"]["fields"]["file"][0].startswith("line 1, column 1:")


def test_the_same_file_twice_makes_one_version_and_the_load_is_audited(factory,
                                                                        make_client):
    admin = _admin(factory, make_client)
    factory.rubric()  # the version the file continues
    content = _default()
    content["name"] = unique("Our baseline")
    text = json.dumps(content, indent=2)
    first = admin.post("/api/v1/rubric/versions", json={"text": text})
    assert first.status_code == 201, first.json
    again = admin.post("/api/v1/rubric/versions", json={"text": text})
    assert again.status_code == 200
    assert again.json["version"] == first.json["version"]
    listed = admin.get("/api/v1/rubric/versions").json
    assert listed["current_version"] == first.json["version"]
    newest = listed["versions"][0]
    assert newest["name"] == content["name"] and newest["current"] is True
    assert newest["loaded_by"] == "Test administrator"
    full = admin.get(f"/api/v1/rubric/versions/{first.json['version']}").json
    assert full["domains"][0]["levels"]["1"] == "Clean, food stored safely"
    assert {"key": "kitchen", "continues": ["kitchen"]} in full["continues"]
    # Put back the shipped rubric for the tests that follow (same keys: a new version).
    assert admin.post("/api/v1/rubric/versions",
                      json={"text": json.dumps(_default())}).status_code == 201


def test_only_administrators_list_and_load_versions(factory, make_client):
    practitioner = make_client()
    practitioner.sign_in(factory.user().email)
    assert practitioner.get("/api/v1/rubric/versions").status_code == 403
    assert practitioner.post("/api/v1/rubric/versions",
                             json={"text": json.dumps(_default())}).status_code == 403
    current = practitioner.get("/api/v1/rubric").json["version"]
    # A visit is shown in its own version's words, so anyone signed in reads one version.
    assert practitioner.get(f"/api/v1/rubric/versions/{current}").status_code == 200
    assert practitioner.get("/api/v1/rubric/versions/999999").status_code == 404


def _renamed_and_split() -> dict:
    """kitchen renamed 'cooking'; floors split into 'clutter' and 'access'."""
    content = _default()
    domains = []
    for domain in content["domains"]:
        if domain["key"] == "kitchen":
            domains.append({**domain, "key": "cooking", "name": "Cooking and food hygiene",
                            "continues": ["kitchen"]})
        elif domain["key"] == "floors":
            domains.append({**domain, "key": "clutter", "name": "Clutter",
                            "continues": ["floors"]})
            domains.append({**copy.deepcopy(domain), "key": "access", "name": "Routes and exits",
                            "continues": ["floors"]})
        else:
            domains.append(domain)
    content["domains"] = domains
    content["name"] = unique("Baseline with cooking and clutter")
    return content


def _back_to_default() -> dict:
    content = _default()
    for domain in content["domains"]:
        if domain["key"] == "kitchen":
            domain["continues"] = ["cooking"]
        elif domain["key"] == "floors":
            domain["continues"] = ["clutter", "access"]  # a merge back
    return content


@pytest.fixture
def renamed_rubric(factory, make_client) -> Iterator:
    """The rubric with a rename and a split in force for one test; the shipped one after."""
    admin = _admin(factory, make_client)
    loaded = admin.post("/api/v1/rubric/versions",
                        json={"text": json.dumps(_renamed_and_split(), indent=2)})
    assert loaded.status_code == 201, loaded.json
    try:
        yield admin
    finally:
        back = admin.post("/api/v1/rubric/versions",
                          json={"text": json.dumps(_back_to_default(), indent=2)})
        assert back.status_code == 201, back.json


def test_the_mapping_is_checked_against_the_previous_version(factory, make_client):
    admin = _admin(factory, make_client)
    factory.rubric()  # the previous version
    lost = _renamed_and_split()
    lost["domains"] = [domain for domain in lost["domains"] if domain["key"] != "access"]
    lost["domains"][0]["continues"] = []  # 'cooking' is new: kitchen carried on by nothing
    text = json.dumps(lost, indent=2)
    answer = admin.post("/api/v1/rubric/versions", json={"text": text})
    assert answer.status_code == 422
    lines = answer.json["error"]["fields"]["file"]
    domains_line = _line_of(text, '"domains"')
    assert any(line.startswith(f"line {domains_line}: domain 'kitchen' of version ")
               and "neither continued nor retired" in line for line in lines), lines
    unknown = _renamed_and_split()
    unknown["domains"][0]["continues"] = ["kitchens"]
    unknown["retired"] = ["garage"]
    text = json.dumps(unknown, indent=2)
    lines = admin.post("/api/v1/rubric/versions", json={"text": text}).json["error"][
        "fields"]["file"]
    assert any(line.startswith(f"line {_line_of(text, KITCHENS)}: domain 'cooking' "
                               "continues 'kitchens', which is not a domain") for line in lines)
    assert any(line.startswith(f"line {_line_of(text, GARAGE)}: 'garage' is retired")
               for line in lines)
    retired = _renamed_and_split()
    retired["domains"][0]["continues"] = []
    retired["retired"] = ["kitchen"]  # said out loud: accepted (then put back)
    ok = admin.post("/api/v1/rubric/versions", json={"text": json.dumps(retired)})
    assert ok.status_code == 201, ok.json
    assert ok.json["retired"] == ["kitchen"]
    back = _back_to_default()
    back["domains"][0]["continues"] = []
    back["retired"] = ["cooking"]
    assert admin.post("/api/v1/rubric/versions",
                      json={"text": json.dumps(back)}).status_code == 201


def test_after_a_rename_and_a_split_history_carries_on(app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    old = [factory.visit(family.id, practitioner.id, at_days_ago(days),
                         {"kitchen": 4, "floors": score})
           for days, score in ((30, 3), (20, 4))]
    lead = make_client()
    lead.sign_in(family.lead.email)
    agreed = lead.put(f"/api/v1/families/{family.id}/agreement", json={
        "agreed_on": (clock.today() - dt.timedelta(days=40)).isoformat(),
        "levels": dict.fromkeys(DOMAINS, 2) | {"floors": 3}})
    assert agreed.status_code == 200, agreed.json
    analyse(app, [family.id])
    kitchen_flag = next(flag for flag in flags_of(app, family.id)
                        if flag["key"] == "below_agreed:kitchen:concern")
    admin = _admin(factory, make_client)
    loaded = admin.post("/api/v1/rubric/versions",
                        json={"text": json.dumps(_renamed_and_split(), indent=2)})
    assert loaded.status_code == 201, loaded.json
    try:
        worker = make_client()
        worker.sign_in(practitioner.email)
        rubric = worker.get("/api/v1/rubric").json
        keys = [domain["key"] for domain in rubric["domains"]]
        assert "cooking" in keys and "kitchen" not in keys
        scores = dict.fromkeys(keys, 2) | {"cooking": 5, "clutter": 2, "access": 4}
        new = worker.submit_visit(family.id, {
            "visited_at": at_days_ago(5).isoformat(), "announced": False,
            "present": ["mother"], "rooms_seen": ["kitchen"], "scores": scores,
            "concerns": [], "notes": "Rotting food again.", "child_presentation": ""})
        assert new.status_code == 201, new.json
        new_id = new.json["id"]

        trends = {domain["key"]: domain for domain in
                  lead.get(f"/api/v1/families/{family.id}/trends").json["domains"]}
        assert "kitchen" not in trends and "floors" not in trends
        assert [(p["visit_id"], p["score"]) for p in trends["cooking"]["points"]] == [
            (old[0], 4), (old[1], 4), (new_id, 5)]
        assert trends["cooking"]["name"] == "Cooking and food hygiene"
        assert [p["score"] for p in trends["clutter"]["points"]] == [3, 4, 2]
        assert [p["score"] for p in trends["access"]["points"]] == [3, 4, 4]
        # The agreement, made under the old version, carries on with its domains.
        assert trends["clutter"]["agreed_level"] == 3 and trends["access"]["agreed_level"] == 3
        assert trends["cooking"]["agreed_level"] == 2
        # The phone's offline kit carries the agreement the same way.
        kit = worker.get("/api/v1/offline-kit").json
        [mine] = [item for item in kit["families"] if item["id"] == family.id]
        assert (mine["agreed_levels"]["clutter"], mine["agreed_levels"]["access"],
                mine["agreed_levels"]["cooking"]) == (3, 3, 2)
        # And the scores export: the old visits' kitchen scores, as cooking, agreed level 2.
        exported = lead.get(f"/api/v1/families/{family.id}/summary.csv")
        assert exported.status_code == 200, exported.json
        rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
        cooking = [row for row in rows if row["Domain key"] == "cooking"]
        assert sorted((int(row["Visit id"]), row["Score"], row["Agreed level"])
                      for row in cooking) == sorted(
            [(old[0], "4", "2"), (old[1], "4", "2"), (new_id, "5", "2")])

        # The streak below the agreed level runs through the change: three in a row.
        with app.app_context():
            facts = family_facts(family.id)
            findings = analysis.analyse(facts, analysis_parameters(), clock.now())
        below = next(f for f in findings if f.key == "below_agreed:cooking:concern")
        assert below.evidence_visit_ids == (old[0], old[1], new_id)
        assert "3 visits in a row" in below.explanation
        # The flag raised before the change goes on under the new domain: no second alert.
        analyse(app, [family.id])
        flags = flags_of(app, family.id)
        carried = next(flag for flag in flags if flag["id"] == kitchen_flag["id"])
        assert carried["key"] == "below_agreed:cooking:concern"
        assert carried["state"] == "open" and carried["domains"] == ["cooking"]
        assert [flag["id"] for flag in flags
                if flag["key"] == "below_agreed:cooking:concern"] == [kitchen_flag["id"]]

        # Old visits stay readable in their own version's words.
        first = lead.get(f"/api/v1/visits/{old[0]}").json
        assert first["scores"]["kitchen"] == 4
        own = lead.get(f"/api/v1/rubric/versions/{first['rubric_version']}").json
        assert any(domain["key"] == "kitchen" for domain in own["domains"])
        timeline = lead.get(f"/api/v1/families/{family.id}/timeline").json
        assert old[0] in [item.get("id") for item in timeline["items"]]
    finally:
        back = admin.post("/api/v1/rubric/versions",
                          json={"text": json.dumps(_back_to_default(), indent=2)})
        assert back.status_code == 201, back.json
    current = make_client()
    current.sign_in(practitioner.email)
    assert [d["key"] for d in current.get("/api/v1/rubric").json["domains"]] == [
        d["key"] for d in default_rubric_content()["domains"]]
