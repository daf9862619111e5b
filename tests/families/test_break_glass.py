"""Break-glass: a manager opens a family outside their core groups, for a stated reason."""

import datetime as dt

from sqlalchemy import select

from homelog.accounts.models import Profession, Role
from homelog.alerts.models import InboxEntry
from homelog.audit.models import AuditEntry
from homelog.extensions import db
from tests.support import clock

REASON = "Covering for the lead social worker, who is on leave this week."


def _manager(factory):
    return factory.user(Role.MANAGER, Profession.TEAM_MANAGER)


def _signed_in(make_client, user):
    client = make_client()
    assert client.sign_in(user.email).status_code == 201
    return client


def _break_glass(client, reference, reason=REASON):
    return client.post("/api/v1/families/break-glass",
                       json={"reference": reference, "reason": reason})


def _entries(app, family_id, user_id):
    with app.app_context():
        return db.session.execute(
            select(AuditEntry.action, AuditEntry.basis)
            .where(AuditEntry.family_id == family_id, AuditEntry.user_id == user_id)
            .order_by(AuditEntry.id)).all()


def test_a_manager_opens_a_family_with_a_reason_and_every_read_is_audited(
        app, factory, make_client):
    family = factory.family()
    manager = _signed_in(make_client, _manager(factory))
    assert manager.get(f"/api/v1/families/{family.id}").status_code == 404
    granted = _break_glass(manager, family.reference)
    assert granted.status_code == 201, granted.json
    assert granted.json["family_id"] == family.id
    until = dt.datetime.fromisoformat(granted.json["until"])
    assert dt.timedelta(hours=3, minutes=59) < until - clock.now() <= dt.timedelta(hours=4)

    opened = manager.get(f"/api/v1/families/{family.id}")
    assert opened.status_code == 200
    assert opened.json["access_basis"] == "break_glass"
    assert opened.json["break_glass_until"] is not None
    for path in ("timeline", "concerns", "flags", "trends", "members"):
        assert manager.get(f"/api/v1/families/{family.id}/{path}").status_code == 200, path
    user_id = opened.json["core_group"][0]["user_id"]  # the lead; the manager is not listed
    assert user_id == family.lead.id
    manager_id = granted_by(app, family.id)
    refused, *actions = _entries(app, family.id, manager_id)
    assert refused == ("request.refused", "refused")  # the first try, before the grant
    assert actions[0] == ("family.break_glass", "break_glass")
    assert {basis for _, basis in actions} == {"break_glass"}
    assert {"family.view", "timeline.view", "concerns.view", "flags.view", "trends.view",
            "core_group.view"} <= {action for action, _ in actions}


def granted_by(app, family_id):
    with app.app_context():
        return db.session.execute(
            select(AuditEntry.user_id).where(AuditEntry.family_id == family_id,
                                             AuditEntry.action == "family.break_glass")
        ).scalar_one()


def test_without_a_real_reason_it_is_refused_naming_the_field(app, factory, make_client):
    family = factory.family()
    manager = _signed_in(make_client, _manager(factory))
    missing = manager.post("/api/v1/families/break-glass", json={"reference": family.reference})
    assert missing.status_code == 422
    assert "reason" in missing.json["error"]["fields"]
    for reason in ("", "   ", "need to look"):
        refused = _break_glass(manager, family.reference, reason)
        assert refused.status_code == 422, reason
        assert "reason" in refused.json["error"]["fields"]
    assert manager.get(f"/api/v1/families/{family.id}").status_code == 404


def test_only_managers_may_break_glass_and_nobody_else_learns_a_family_exists(
        factory, make_client):
    family = factory.family()
    for user in (factory.user(), factory.lead(),
                 factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)):
        client = _signed_in(make_client, user)
        known = _break_glass(client, family.reference)
        unknown = _break_glass(client, "NO-SUCH-FAMILY-REFERENCE")
        assert known.status_code == unknown.status_code == 403
        assert known.json == unknown.json
        assert client.get(f"/api/v1/families/{family.id}").status_code == 404
    manager_ref = _manager(factory)
    manager = _signed_in(make_client, manager_ref)
    assert _break_glass(manager, "NO-SUCH-FAMILY-REFERENCE").status_code == 404


def test_refused_attempts_stay_on_the_record(app, factory, make_client):
    practitioner_ref, manager_ref = factory.user(), _manager(factory)
    _break_glass(_signed_in(make_client, practitioner_ref), "SOME-REF")
    _break_glass(_signed_in(make_client, manager_ref), "NO-SUCH-REF")
    with app.app_context():
        refused = db.session.execute(
            select(AuditEntry.user_id, AuditEntry.detail)
            .where(AuditEntry.action == "family.break_glass_refused",
                   AuditEntry.user_id.in_([practitioner_ref.id, manager_ref.id]))
            .order_by(AuditEntry.id)).all()
    assert refused == [
        (practitioner_ref.id, {"why": "not_a_manager", "reference": "SOME-REF"}),
        (manager_ref.id, {"why": "no_such_reference", "reference": "NO-SUCH-REF"})]


def test_a_manager_in_the_core_group_has_nothing_to_break(factory, make_client):
    manager_ref = _manager(factory)
    family = factory.family(members=(manager_ref,))
    manager = _signed_in(make_client, manager_ref)
    refused = _break_glass(manager, family.reference)
    assert refused.status_code == 409
    assert manager.get(f"/api/v1/families/{family.id}").json["access_basis"] \
        == "core_group_member"


def test_a_reference_on_two_families_opens_both_and_tells_both_leads(
        app, factory, make_client):
    earlier = factory.family()
    other_lead = factory.lead()
    creator = _signed_in(make_client, other_lead)
    body = {"reference": earlier.reference, "address": "", "opened_on": "2026-05-20",
            "children": [{"initials": "GH", "date_of_birth": "2025-02-03"}],
            "plan": {"category": "neglect", "started_on": "2026-06-01"}}
    later = creator.post("/api/v1/families", json=body)
    assert later.status_code == 201
    manager_ref = _manager(factory)
    manager = _signed_in(make_client, manager_ref)
    granted = _break_glass(manager, earlier.reference)
    assert granted.status_code == 201, granted.json
    opened = {family["id"] for family in granted.json["families"]}
    assert opened == {earlier.id, later.json["id"]}
    assert granted.json["family_id"] in opened
    for family_id in opened:
        assert manager.get(f"/api/v1/families/{family_id}").json["access_basis"] \
            == "break_glass"
    with app.app_context():
        told = db.session.execute(
            select(InboxEntry.user_id, InboxEntry.family_id)
            .where(InboxEntry.kind == "break_glass",
                   InboxEntry.family_id.in_(opened))).all()
    assert sorted(told) == sorted([(earlier.lead.id, earlier.id),
                                   (other_lead.id, later.json["id"])])


def test_the_access_ends_after_the_set_time(app, factory, make_client):
    family = factory.family()
    manager_ref = _manager(factory)
    manager = _signed_in(make_client, manager_ref)
    granted = _break_glass(manager, family.reference)
    until = dt.datetime.fromisoformat(granted.json["until"])
    with clock.frozen_at(until - dt.timedelta(minutes=1)):
        again = _signed_in(make_client, manager_ref)  # sessions time out sooner
        assert again.get(f"/api/v1/families/{family.id}").status_code == 200
    with clock.frozen_at(until + dt.timedelta(seconds=1)):
        later = _signed_in(make_client, manager_ref)
        assert later.get(f"/api/v1/families/{family.id}").status_code == 404
        assert later.get(f"/api/v1/families/{family.id}/timeline").status_code == 404


def test_the_duration_is_a_setting(app, factory, make_client):
    family = factory.family()
    manager_ref = _manager(factory)
    manager = _signed_in(make_client, manager_ref)
    app.config["HOMELOG_BREAK_GLASS_HOURS"] = 1
    try:
        granted = _break_glass(manager, family.reference)
        until = dt.datetime.fromisoformat(granted.json["until"])
        assert until - clock.now() <= dt.timedelta(hours=1)
        with clock.frozen_at(until + dt.timedelta(seconds=1)):
            later = _signed_in(make_client, manager_ref)
            assert later.get(f"/api/v1/families/{family.id}").status_code == 404
    finally:
        app.config["HOMELOG_BREAK_GLASS_HOURS"] = 4


def test_the_lead_is_told_in_the_inbox_at_once(app, factory, make_client):
    family = factory.family()
    manager = _signed_in(make_client, _manager(factory))
    assert _break_glass(manager, family.reference).status_code == 201
    lead = _signed_in(make_client, family.lead)
    (entry,) = [item for item in lead.get("/api/v1/inbox").json if item["kind"] == "break_glass"]
    assert entry["family"] == {"id": family.id, "reference": family.reference}
    (said,) = entry["news"]
    assert said["change"] == "break_glass"
    assert said["title"].startswith("Test manager")
    assert said["sentence"] == REASON
    with app.app_context():
        assert db.session.execute(select(InboxEntry.user_id).where(
            InboxEntry.family_id == family.id, InboxEntry.kind == "break_glass")
        ).scalars().all() == [family.lead.id]


def test_the_opening_and_the_reads_show_in_who_has_viewed(factory, make_client):
    family = factory.family()
    manager_ref = _manager(factory)
    manager = _signed_in(make_client, manager_ref)
    _break_glass(manager, family.reference)
    manager.get(f"/api/v1/families/{family.id}/timeline")
    lead = _signed_in(make_client, family.lead)
    report = lead.get(f"/api/v1/families/{family.id}/who-viewed",
                      query_string={"person": manager_ref.id}).json
    assert [(e["what"], e["basis_words"]) for e in report["entries"]] == [
        ("Opened the timeline", "Break-glass"),
        ("Opened the family by break-glass", "Break-glass"),
    ]
    assert report["entries"][1]["reason"] == REASON
    assert report["entries"][1]["person"]["id"] == manager_ref.id
    assert manager_ref.id in [person["id"] for person in report["people"]]
    # the manager, while in, may read the report too (a manager with access)
    assert manager.get(f"/api/v1/families/{family.id}/who-viewed").status_code == 200
