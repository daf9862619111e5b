"""Editing, closing and reopening a family: who may, the history kept, and what a closed
family still does (readable) and no longer does (caseload, offline kit, the engine)."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from homelog.accounts.models import Role
from homelog.extensions import db
from tests.engine.support import analyse, at_days_ago, flags_of
from tests.factories import unique, visit_body
from tests.support import clock


def _signed_in(make_client, user):
    client = make_client()
    client.sign_in(user.email)
    return client


def _changes(client, family_id):
    items = client.get(f"/api/v1/families/{family_id}/timeline",
                       query_string={"per_page": 100}).json["items"]
    return [item for item in items if item["type"] == "change"]


def test_who_may_edit_close_and_reopen(make_client, factory):
    manager, member, lead_sw = factory.user(Role.MANAGER), factory.user(), factory.lead()
    family = factory.family(members=(manager, member, lead_sw))
    outsider_manager = factory.user(Role.MANAGER)
    url = f"/api/v1/families/{family.id}"
    # A member who does not run the group (even a lead social worker who is not the
    # lead) is refused with 403; an outsider, even a manager, gets 404.
    for user, status in ((member, 403), (lead_sw, 403), (outsider_manager, 404)):
        client = _signed_in(make_client, user)
        assert client.patch(url, json={"address": "9 Elm Row"}).status_code == status
        assert client.post(f"{url}/close", json={"reason": "Plan ended"}).status_code == status
        if status == 403:
            assert "lead social worker or a manager" in client.patch(
                url, json={"address": "x"}).json["error"]["message"]
    # The lead edits; a manager in the core group closes and reopens.
    lead = _signed_in(make_client, family.lead)
    edited = lead.patch(url, json={"address": "9 Elm Row", "reason": "They moved"})
    assert edited.status_code == 200 and edited.json["address"] == "9 Elm Row"
    assert edited.json["may_manage"] is True
    boss = _signed_in(make_client, manager)
    closed = boss.post(f"{url}/close", json={"reason": "Plan ended at the review"})
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert closed.json["closed_reason"] == "Plan ended at the review"
    assert boss.post(f"{url}/close", json={"reason": "again"}).status_code == 409
    refused = lead.patch(url, json={"address": "1 New Road"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "family_closed"
    assert _signed_in(make_client, member).post(
        f"{url}/reopen", json={"reason": "New concerns"}).status_code == 403
    reopened = boss.post(f"{url}/reopen", json={"reason": "New referral"})
    assert reopened.status_code == 200 and reopened.json["status"] == "open"
    assert reopened.json["closed_at"] is None
    assert boss.post(f"{url}/reopen", json={"reason": "again"}).status_code == 409
    assert boss.post(f"{url}/close", json={"reason": "  "}).status_code == 422


def test_edits_keep_history_and_show_on_the_timeline(make_client, factory, app):
    family = factory.family()
    lead = _signed_in(make_client, family.lead)
    url = f"/api/v1/families/{family.id}"
    child = lead.get(url).json["children"][0]
    response = lead.patch(url, json={
        "plan": {"category": "emotional_abuse"},
        "children": [{"id": child["id"], "initials": "AC", "date_of_birth": "2025-06-01"},
                     {"initials": "ZB", "date_of_birth": "2026-01-10"}],
        "reason": "Second child born; initials corrected"})
    assert response.status_code == 200, response.json
    assert [c["initials"] for c in response.json["children"]] == ["AC", "ZB"]
    assert response.json["plan"]["category"] == "emotional_abuse"
    # Leaving a child out, or naming another family's child, is refused with the field.
    dropped = lead.patch(url, json={"children": [{"initials": "ZB",
                                                  "date_of_birth": "2026-01-10"}]})
    assert dropped.status_code == 422 and "children" in dropped.json["error"]["fields"]
    assert lead.patch(url, json={}).status_code == 422  # nothing to change
    future = (clock.today() + dt.timedelta(days=2)).isoformat()
    bad = lead.patch(url, json={"plan": {"started_on": future}})
    assert bad.status_code == 422 and "plan.started_on" in bad.json["error"]["fields"]
    lead.post(f"{url}/close", json={"reason": "Plan ended"})
    lead.post(f"{url}/reopen", json={"reason": "Re-referred"})

    changes = _changes(lead, family.id)
    kinds = [item["kind"] for item in changes]
    assert kinds[:3] == ["reopened", "closed", "details_changed"]
    assert kinds[-2:] == ["member_joined", "opened"]
    assert changes[-2]["summary"].endswith("joined the core group as the lead")
    assert changes[-2]["member"]["id"] == family.lead.id
    edit = changes[2]
    assert edit["reason"] == "Second child born; initials corrected"
    assert "Plan: Child protection plan: neglect, now Child protection plan: emotional " \
           "abuse" in edit["lines"]
    assert any(line.startswith("Children: AB (born 1 Jun 2025), now AC (born 1 Jun 2025), "
                               "ZB (born 10 Jan 2026)") for line in edit["lines"])
    assert changes[1]["reason"] == "Plan ended" and changes[0]["reason"] == "Re-referred"
    assert changes[1]["summary"].startswith("Family record closed by ")
    # The history is append-only in the database itself.
    with app.app_context():
        for statement in ("UPDATE family_change SET reason = 'x'", "DELETE FROM family_change"):
            with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
                db.session.execute(text(statement))
        db.session.rollback()


def test_the_reference_follows_the_shared_reference_rule(make_client, factory):
    first, second = factory.family(), factory.family()
    lead = _signed_in(make_client, second.lead)
    url = f"/api/v1/families/{second.id}"
    # A reference the lead cannot see elsewhere is taken (they learn nothing); one of their
    # own families refuses with 409.
    assert lead.patch(url, json={"reference": first.reference}).status_code == 200
    mine = factory.family(lead=second.lead)
    taken = lead.patch(url, json={"reference": mine.reference})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "family_exists"
    new = unique("NEW")
    assert lead.patch(url, json={"reference": new}).json["reference"] == new


def test_closed_families_leave_the_caseload_and_kit_but_stay_readable(make_client, factory):
    member = factory.user()
    family = factory.family(members=(member,))
    other = factory.family(lead=family.lead)
    lead = _signed_in(make_client, family.lead)
    assert lead.post(f"/api/v1/families/{family.id}/close",
                     json={"reason": "Case closed at review"}).status_code == 200
    practitioner = _signed_in(make_client, member)
    for client, expected in ((lead, [other.id]), (practitioner, [])):
        assert [e["family"]["id"] for e in client.get("/api/v1/caseload").json] == expected
        assert [f["id"] for f in client.get("/api/v1/families").json] == expected
        kit = client.get("/api/v1/offline-kit").json["families"]
        assert [f["id"] for f in kit] == expected
    closed = practitioner.get("/api/v1/families", query_string={"status": "closed"}).json
    assert [(f["id"], f["status"]) for f in closed] == [(family.id, "closed")]
    assert len(lead.get("/api/v1/families", query_string={"status": "all"}).json) == 2
    for path in ("", "/timeline", "/members", "/flags"):
        assert practitioner.get(f"/api/v1/families/{family.id}{path}").status_code == 200


def test_a_closed_family_is_not_analysed(make_client, factory, app):
    member = factory.user()
    family = factory.family(members=(member,))
    factory.visit(family.id, member.id, at_days_ago(3), {"kitchen": 5})
    lead = _signed_in(make_client, family.lead)
    assert lead.post(f"/api/v1/families/{family.id}/close",
                     json={"reason": "Moved out of the area"}).status_code == 200
    report = analyse(app, [family.id])
    assert report.families == 0
    assert flags_of(app, family.id) == []
    # Reopened, it is analysed again.
    lead.post(f"/api/v1/families/{family.id}/reopen", json={"reason": "Moved back"})
    assert analyse(app, [family.id]).families == 1
    assert flags_of(app, family.id) != []


def test_a_visit_made_before_the_closure_is_kept_and_one_after_is_refused(make_client,
                                                                          factory, app):
    member = factory.user()
    family = factory.family(members=(member,))
    phone = _signed_in(make_client, member)
    before = visit_body(visited_at=(clock.now() - dt.timedelta(hours=2)).isoformat(),
                        concerns=["unsafe_sleep"], notes="Baby asleep on the sofa with dad.")
    lead = _signed_in(make_client, family.lead)
    assert lead.post(f"/api/v1/families/{family.id}/close",
                     json={"reason": "Plan ended"}).status_code == 200
    key = str(uuid.uuid4())
    synced = phone.submit_visit(family.id, before, key=key)  # made offline, synced now
    assert synced.status_code == 201, synced.json
    assert phone.submit_visit(family.id, before, key=key).status_code == 200  # a retry
    after = phone.submit_visit(family.id, visit_body(visited_at=clock.now().isoformat()))
    assert after.status_code == 409
    assert after.json["error"]["code"] == "family_closed"
    assert "closed on" in after.json["error"]["message"]
    event = phone.post(f"/api/v1/families/{family.id}/events", json={
        "occurred_at": clock.now().isoformat(), "kind": "police_callout",
        "summary": "Call-out", "source": "Police"})
    assert event.status_code == 409
    # The late visit is on the record, and its immediate concern is raised and told at once
    # although the record is closed: an immediate concern is never held back.
    ids = [item["id"] for item in lead.get(f"/api/v1/families/{family.id}/timeline").json[
        "items"] if item["type"] == "visit"]
    assert ids == [synced.json["id"]]
    flags = flags_of(app, family.id)
    assert [flag["severity"] for flag in flags] == ["immediate"], flags
    told = [entry for entry in lead.get("/api/v1/inbox").json
            if entry["family"]["id"] == family.id and entry["kind"] == "opened"]
    assert len(told) == 1
