"""Partnership parameters (administrators, validated ranges) and the trends endpoint."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from homelog.accounts.models import Profession, Role
from homelog.audit.models import AuditEntry
from homelog.engine import state
from homelog.engine.models import FamilyEngineState
from homelog.engine.steps.analysis import Parameters
from homelog.extensions import db
from tests.engine.support import analyse, at_days_ago
from tests.factories import DOMAINS
from tests.support import clock


def _admin(factory, make_client):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client = make_client()
    client.sign_in(admin.email)
    return client


def test_every_threshold_is_listed_with_the_documented_default(factory, make_client):
    client = _admin(factory, make_client)
    listed = {item["name"]: item for item in client.get("/api/v1/engine/parameters")
              .json["parameters"]}
    for field in dataclasses.fields(Parameters):
        item = listed[field.name]
        assert item["default"] == field.default
        assert item["minimum"] <= item["default"] <= item["maximum"]
        assert item["description"] and item["unit"]
    for name, default in {"escalation_delay_hours": 24, "engine_interval_minutes": 60,
                          "digest_hour": 7, "recheck_hours": 24}.items():
        assert listed[name]["default"] == default
    assert listed["swing_window_days"]["default"] == 7  # product.md
    assert listed["crossings_min"]["default"] == 3


def test_parameters_are_validated_and_naming_the_field(factory, make_client):
    client = _admin(factory, make_client)
    url = "/api/v1/engine/parameters"
    for body, field in (({"swing_window_days": 0}, "swing_window_days"),
                        ({"swing_window_days": 2.5}, "swing_window_days"),
                        ({"announced_gap_min_levels": "one"}, "announced_gap_min_levels"),
                        ({"digest_hour": 24}, "digest_hour"),
                        ({"made_up": 3}, "made_up"),
                        ({"trend_min_weeks": 20, "trend_max_weeks": 10}, "trend_min_weeks")):
        answer = client.put(url, json=body)
        assert answer.status_code == 422, (body, answer.json)
        assert field in answer.json["error"]["fields"], answer.json
    values = {item["name"]: item["value"] for item in client.get(url).json["parameters"]}
    assert values["swing_window_days"] == 7 and values["digest_hour"] == 7


def test_changing_a_threshold_is_audited_and_makes_every_family_due(app, factory, make_client):
    client = _admin(factory, make_client)
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(5))
    analyse(app, [family.id])
    with app.app_context():
        assert family.id not in state.due_family_ids(clock.now())
    try:
        answer = client.put("/api/v1/engine/parameters",
                            json={"swing_window_days": 10, "announced_gap_min_levels": 1.5})
        assert answer.status_code == 200, answer.json
        values = {item["name"]: item["value"] for item in answer.json["parameters"]}
        assert values["swing_window_days"] == 10 and values["announced_gap_min_levels"] == 1.5
        with app.app_context():
            assert family.id in state.due_family_ids(clock.now())
            entry = db.session.execute(
                select(AuditEntry).where(AuditEntry.action == "engine.parameters.change")
                .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
            assert entry.detail["swing_window_days"] == {"from": 7, "to": 10}
    finally:
        client.put("/api/v1/engine/parameters",
                   json={"swing_window_days": 7, "announced_gap_min_levels": 1.0})


def test_trends_draw_each_domain_against_the_agreed_level(factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = make_client()
    lead.sign_in(family.lead.email)
    agreed = lead.put(f"/api/v1/families/{family.id}/agreement", json={
        "agreed_on": (clock.today() - dt.timedelta(days=60)).isoformat(),
        "levels": dict.fromkeys(DOMAINS, 2) | {"kitchen": 3}})
    assert agreed.status_code == 200, agreed.json
    visits = [factory.visit(family.id, practitioner.id, at_days_ago(days), {"kitchen": score},
                            announced=announced)
              for days, score, announced in ((30, 2, True), (20, 4, False), (10, 3, False),
                                             (2, 5, True))]

    answer = lead.get(f"/api/v1/families/{family.id}/trends")
    assert answer.status_code == 200, answer.json
    body = answer.json
    kitchen = next(domain for domain in body["domains"] if domain["key"] == "kitchen")
    assert kitchen["name"] == "Kitchen and food hygiene"
    assert kitchen["agreed_level"] == 3 and kitchen["good_enough_level"] == 2
    assert [point["score"] for point in kitchen["points"]] == [2, 4, 3, 5]
    assert [point["visit_id"] for point in kitchen["points"]] == visits
    assert [point["announced"] for point in kitchen["points"]] == [True, False, False, True]
    assert kitchen["points"][0]["agency"]["id"] == practitioner.agency_id
    assert len(kitchen["rolling_median"]) == 4
    assert kitchen["rolling_median"][0]["value"] == 2.0
    assert kitchen["days_at_concern_since_plan"] > 0
    metrics = body["metrics"]
    assert metrics["days_since_last_visit"] == 2
    assert metrics["days_since_last_unannounced"] == 10
    agencies = {item["agency"]["id"]: item["days_since_last_visit"]
                for item in metrics["agencies"]}
    assert agencies[practitioner.agency_id] == 2
    assert agencies[family.lead.agency_id] is None  # the lead's agency has not visited
    assert metrics["days_at_concern_since_plan"] >= kitchen["days_at_concern_since_plan"]
    # The kitchen crossed its agreed level three times (2 -> 4 -> 3 -> 5); nothing else did.
    assert kitchen["crossings_90_days"] == metrics["crossings_90_days"] == 3


def test_recording_a_visit_event_or_agreement_marks_the_family_changed(app, factory,
                                                                        make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = make_client()
    lead.sign_in(family.lead.email)

    def version() -> int:
        with app.app_context():
            state = db.session.get(FamilyEngineState, family.id)
            return state.version if state else 0

    factory.visit(family.id, practitioner.id, at_days_ago(3))
    assert version() == 1
    event = lead.post(f"/api/v1/families/{family.id}/events", json={
        "occurred_at": at_days_ago(1).isoformat(), "kind": "police_callout",
        "summary": "Neighbours reported shouting."})
    assert event.status_code == 201
    assert version() == 2
    agreed = lead.put(f"/api/v1/families/{family.id}/agreement", json={
        "agreed_on": clock.today().isoformat(), "levels": dict.fromkeys(DOMAINS, 2)})
    assert agreed.status_code == 200
    assert version() == 3
