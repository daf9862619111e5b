import copy
import datetime as dt
import json

from homelog.accounts.models import Role
from tests.factories import DOMAINS
from tests.support import clock


def test_the_rubric_lists_domains_levels_and_concerns(client, factory):
    client.sign_in(factory.user().email)
    rubric = client.get("/api/v1/rubric").json
    assert [d["key"] for d in rubric["domains"]] == list(DOMAINS)
    kitchen = rubric["domains"][0]
    assert kitchen["good_enough_level"] == 2
    assert set(kitchen["levels"]) == {"1", "2", "3", "4", "5"}
    assert "unsafe_sleep" in [c["key"] for c in rubric["concerns"]]


def test_a_new_rubric_version_leaves_old_visits_on_theirs(client, make_client, factory):
    admin = make_client()
    admin.sign_in(factory.user(Role.ADMINISTRATOR).email)
    current = admin.get("/api/v1/rubric").json
    changed = copy.deepcopy({k: v for k, v in current.items() if k != "version"})
    changed["domains"][0]["levels"]["3"] = f"Dishes piling up ({dt.datetime.now().isoformat()})"
    created = admin.post("/api/v1/rubric", json=changed)
    assert created.status_code == 201
    assert created.json["version"] == current["version"] + 1
    broken = copy.deepcopy(changed)
    broken["domains"][0]["levels"].pop("5")
    refused = admin.post("/api/v1/rubric", json=broken)
    assert refused.status_code == 422
    assert "domains" in refused.json["error"]["fields"]


def test_rubric_load_command(app, tmp_path):
    from homelog.rubric.services import default_rubric_content

    content = default_rubric_content()
    content["name"] = f"Local baseline {dt.datetime.now().isoformat()}"
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(content))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["rubric", "load", str(path)])
    assert first.exit_code == 0, first.output
    assert "Loaded rubric version" in first.output
    second = runner.invoke(args=["rubric", "load", str(path)])
    assert "Already current" in second.output
    path.write_text("{ not json")
    bad = runner.invoke(args=["rubric", "load", str(path)])
    assert bad.exit_code != 0
    runner.invoke(args=["rubric", "load-default"])


def test_agreement_revisions_are_kept(client, factory):
    family = factory.family()
    client.sign_in(family.lead.email)
    url = f"/api/v1/families/{family.id}/agreement"
    default = client.get(url).json
    assert default["is_default"] is True
    assert all(level["expected_level"] == 2 for level in default["current"]["levels"])
    levels = {**dict.fromkeys(DOMAINS, 2), "sleep": 1}
    today = clock.today().isoformat()
    first = client.put(url, json={"agreed_on": today, "levels": levels,
                                  "note": "Agreed with mother at core group"})
    assert first.status_code == 200
    second = client.put(url, json={"agreed_on": today, "levels": {**levels, "floors": 1}})
    body = second.json
    assert body["is_default"] is False
    assert [rev["revision"] for rev in body["history"]] == [2, 1]
    floors = next(lv for lv in body["current"]["levels"] if lv["domain_key"] == "floors")
    assert floors["expected_level"] == 1
    assert floors["descriptor"] == "Clear, safe to crawl"
    first_sleep = next(lv for lv in body["history"][1]["levels"] if lv["domain_key"] == "sleep")
    assert first_sleep["expected_level"] == 1


def test_agreement_validation_names_the_field(client, factory):
    family = factory.family()
    client.sign_in(family.lead.email)
    url = f"/api/v1/families/{family.id}/agreement"
    today = clock.today().isoformat()
    missing = client.put(url, json={"agreed_on": today, "levels": {"kitchen": 2}})
    assert "levels" in missing.json["error"]["fields"]
    unknown = client.put(url, json={"agreed_on": today,
                                    "levels": {**dict.fromkeys(DOMAINS, 2), "garage": 2}})
    assert "levels" in unknown.json["error"]["fields"]
    out_of_range = client.put(url, json={"agreed_on": today,
                                         "levels": {**dict.fromkeys(DOMAINS, 2), "air": 7}})
    assert out_of_range.status_code == 422
    future = (clock.today() + dt.timedelta(days=2)).isoformat()
    late = client.put(url, json={"agreed_on": future, "levels": dict.fromkeys(DOMAINS, 2)})
    assert "agreed_on" in late.json["error"]["fields"]
