"""GET /api/v1/families/{id}/concerns: the family picture and its flags grouped into concerns."""

from __future__ import annotations

from sqlalchemy import select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from tests.engine.support import analyse, flags_of
from tests.engine.support import at_days_ago as _days_ago


def test_a_familys_flags_read_as_a_picture_and_a_few_concerns(app, factory, make_client):
    health_visitor, police = factory.user(), factory.user()
    family = factory.family(members=(health_visitor, police))
    for days, who, kitchen in ((40, health_visitor, 2), (33, police, 4), (26, health_visitor, 2),
                               (19, police, 4), (12, health_visitor, 2), (5, police, 5),
                               (2, health_visitor, 5)):
        factory.visit(family.id, who.id, _days_ago(days), {"kitchen": kitchen})
    factory.visit(family.id, police.id, _days_ago(1), {"kitchen": 5},
                  concerns=("unsafe_sleep",))
    analyse(app, [family.id])
    active = {flag["id"] for flag in flags_of(app, family.id) if flag["state"] != "closed"}
    assert len(active) >= 5

    client = make_client()
    client.sign_in(health_visitor.email)
    response = client.get(f"/api/v1/families/{family.id}/concerns")
    assert response.status_code == 200, response.json
    body = response.json
    concerns = body["concerns"]

    # Nothing lost, nothing twice: every open or acknowledged flag is in exactly one concern.
    held = [flag_id for concern in concerns for flag_id in concern["flag_ids"]]
    assert sorted(held) == sorted(active)
    assert [flag["id"] for concern in concerns for flag in concern["flags"]] == held
    first = concerns[0]
    assert first["immediate"] and first["safe_sleep"] and first["title"] == "Safe sleep"
    assert first["severity"] == "immediate" and len(first["flag_ids"]) == 1
    (kitchen,) = [concern for concern in concerns if concern["key"] == "domain:kitchen"]
    assert kitchen["domain"] == {"key": "kitchen", "name": "Kitchen and food hygiene"}
    assert kitchen["severity"] == "high" and len(kitchen["flag_ids"]) >= 3
    assert kitchen["sentence"].startswith("Kitchen and food hygiene: worse than the agreed 2 at ")
    assert "improvements not lasting" in kitchen["sentence"]
    assert len(concerns) < len(active)
    picture = body["picture"]
    assert 2 <= len(picture) <= 4
    assert picture[0] == ("Worse than agreed in one area: a concern (4 or 5) in Kitchen and "
                          "food hygiene.")

    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action).where(
            AuditEntry.family_id == family.id)).scalars().all()
    assert "concerns.view" in actions


def test_an_acknowledged_flag_stays_in_its_concern_and_a_closed_one_leaves(
        app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, _days_ago(3), {"kitchen": 2})
    factory.visit(family.id, practitioner.id, _days_ago(1), {"kitchen": 5},
                  concerns=("no_food",))
    analyse(app, [family.id])
    lead = make_client()
    lead.sign_in(family.lead.email)
    concerns = lead.get(f"/api/v1/families/{family.id}/concerns").json["concerns"]
    immediate, kitchen = concerns[0], next(c for c in concerns if c["key"] == "domain:kitchen")
    acknowledged = lead.post(f"/api/v1/flags/{kitchen['flag_ids'][0]}/acknowledge",
                             json={"response": "Discussed at the core group."})
    assert acknowledged.status_code == 200, acknowledged.json
    closed = lead.post(f"/api/v1/flags/{immediate['flag_ids'][0]}/acknowledge",
                       json={"response": "Food bank parcel delivered.", "close": True})
    assert closed.status_code == 200, closed.json

    after = lead.get(f"/api/v1/families/{family.id}/concerns").json["concerns"]
    assert immediate["key"] not in {concern["key"] for concern in after}
    (kitchen_after,) = [c for c in after if c["key"] == "domain:kitchen"]
    assert kitchen_after["flag_ids"] == kitchen["flag_ids"]
    states = {flag["id"]: flag["state"] for flag in kitchen_after["flags"]}
    assert states[kitchen["flag_ids"][0]] == "acknowledged"
    assert kitchen_after["state"] == ("open" if "open" in states.values() else "acknowledged")


def test_a_family_with_nothing_recorded_has_a_picture_that_says_so(factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client = make_client()
    client.sign_in(practitioner.email)
    body = client.get(f"/api/v1/families/{family.id}/concerns").json
    assert body["concerns"] == []
    assert body["picture"] == ["No visit has been recorded yet.", "Nothing has been flagged."]


def test_one_response_to_a_concern_is_recorded_on_every_flag_behind_it(
        app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    for days, kitchen in ((20, 2), (16, 4), (12, 2), (8, 4), (4, 2), (1, 5)):
        factory.visit(family.id, practitioner.id, _days_ago(days), {"kitchen": kitchen})
    analyse(app, [family.id])
    lead = make_client()
    lead.sign_in(family.lead.email)
    url = f"/api/v1/families/{family.id}/concerns"
    (kitchen,) = [c for c in lead.get(url).json["concerns"] if c["key"] == "domain:kitchen"]
    assert len(kitchen["flag_ids"]) >= 2
    said = "Discussed at the core group: daily support worker visits from Monday."

    member = make_client()
    member.sign_in(practitioner.email)
    refused = member.post(f"{url}/acknowledge",
                          json={"flag_ids": kitchen["flag_ids"], "response": said})
    assert refused.status_code == 403, refused.json
    outsider = make_client()
    outsider.sign_in(factory.lead().email)
    hidden = outsider.post(f"{url}/acknowledge",
                           json={"flag_ids": kitchen["flag_ids"], "response": said})
    assert hidden.status_code == 404, hidden.json

    answered = lead.post(f"{url}/acknowledge",
                         json={"flag_ids": kitchen["flag_ids"], "response": said})
    assert answered.status_code == 200, answered.json
    (after,) = [c for c in answered.json["concerns"] if c["key"] == "domain:kitchen"]
    assert after["state"] == "acknowledged"
    assert {flag["acknowledgement"]["response"] for flag in after["flags"]} == {said}

    closed = lead.post(f"{url}/acknowledge", json={
        "flag_ids": kitchen["flag_ids"], "response": "Kitchen fine at three visits.",
        "close": True})
    assert closed.status_code == 200, closed.json
    assert "domain:kitchen" not in {c["key"] for c in closed.json["concerns"]}
    stale = lead.post(f"{url}/acknowledge",
                      json={"flag_ids": kitchen["flag_ids"], "response": "Again."})
    assert stale.status_code == 422, stale.json
    assert "flag_ids" in stale.json["error"]["fields"]
    empty = lead.post(f"{url}/acknowledge", json={"flag_ids": [], "response": "x"})
    assert empty.status_code == 422 and "flag_ids" in empty.json["error"]["fields"]


def test_flag_ids_no_database_can_hold_are_refused_naming_the_field(factory, make_client):
    """Found by schemathesis (tests/test_schemathesis.py): an id too large for a 64-bit
    integer (2**70) was looked up, and the lookup failed with a 500. Ids no id column holds
    (below 1, or 2**31 and up) are refused like every other id in the API."""
    family = factory.family()
    lead = make_client()
    lead.sign_in(family.lead.email)
    url = f"/api/v1/families/{family.id}/concerns/acknowledge"
    for flag_ids in ([2**31], [2**70], [0], [-5], [1, 10**30]):
        refused = lead.post(url, json={"flag_ids": flag_ids, "response": "Seen."})
        assert refused.status_code == 422, (flag_ids, refused.json)
        assert "flag_ids" in refused.json["error"]["fields"]
