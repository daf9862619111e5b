import os
import subprocess
import sys
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from homelog.audit.models import AuditEntry
from homelog.audit.verify import verify_chain
from homelog.extensions import db
from tests.factories import Factory, visit_body


def entries_for(app, family_id):
    with app.app_context():
        return db.session.execute(
            select(AuditEntry).where(AuditEntry.family_id == family_id).order_by(AuditEntry.id)
        ).scalars().all()


def test_reading_a_family_its_timeline_and_a_visit_each_leave_an_entry(app, client, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client.sign_in(practitioner.email)
    visit_id = factory.visit(family.id, practitioner.id)
    before = len(entries_for(app, family.id))
    assert client.get(f"/api/v1/families/{family.id}").status_code == 200
    assert client.get(f"/api/v1/families/{family.id}/timeline").status_code == 200
    assert client.get(f"/api/v1/visits/{visit_id}").status_code == 200
    new = entries_for(app, family.id)[before:]
    assert [entry.action for entry in new] == ["family.view", "timeline.view", "visit.view"]
    for entry in new:
        assert entry.user_id == practitioner.id
        assert entry.agency_id == practitioner.agency_id
        assert entry.basis == "core_group_member"
    assert (new[2].target_type, new[2].target_id) == ("visit", visit_id)


def test_refused_reads_are_recorded_as_refusals_and_change_nothing(app, client, factory):
    outsider = factory.user()
    family = factory.family()
    client.sign_in(outsider.email)
    before = len(entries_for(app, family.id))
    assert client.get(f"/api/v1/families/{family.id}").status_code == 404
    # The timeline reads the membership in the same statement as the page: the same 404.
    refused = client.get(f"/api/v1/families/{family.id}/timeline")
    assert refused.status_code == 404
    assert "items" not in refused.json and "core group" in refused.json["error"]["message"]
    assert client.get("/api/v1/families/999999999/timeline").status_code == 404
    # Each attempt is on the family's record as a refusal, never as a read.
    after = entries_for(app, family.id)[before:]
    assert [(entry.action, entry.user_id, entry.basis) for entry in after] == [
        ("request.refused", outsider.id, "refused")] * 2


def test_a_family_with_nothing_recorded_shows_an_empty_timeline_and_is_audited(
    app, client, factory
):
    lead_only = factory.family()
    client.sign_in(lead_only.lead.email)
    before = len(entries_for(app, lead_only.id))
    shown = client.get(f"/api/v1/families/{lead_only.id}/timeline")
    assert shown.status_code == 200
    # Nothing recorded: only the record's own history (opened, its lead joined).
    assert {**shown.json, "items": []} == {"items": [], "page": 1, "per_page": 20,
                                           "has_more": False}
    assert [(item["type"], item["kind"]) for item in shown.json["items"]] == [
        ("change", "member_joined"), ("change", "opened")]
    new = entries_for(app, lead_only.id)[before:]
    assert [(entry.action, entry.basis) for entry in new] == [
        ("timeline.view", "core_group_lead")]


def test_the_lead_can_see_who_has_viewed_the_family(make_client, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    viewer = make_client()
    viewer.sign_in(practitioner.email)
    viewer.get(f"/api/v1/families/{family.id}")
    lead = make_client()
    lead.sign_in(family.lead.email)
    log = lead.get(f"/api/v1/families/{family.id}/access-log").json
    assert any(e["user_id"] == practitioner.id and e["action"] == "family.view" for e in log)


def test_the_chain_is_intact_and_entries_cannot_be_altered(app, client, factory):
    user = factory.user()
    client.sign_in(user.email)
    with app.app_context():
        report = verify_chain()
        assert report.intact, report
        assert report.entries > 0
        last = db.session.execute(select(AuditEntry.id).order_by(AuditEntry.id.desc())).scalar()
        for statement in ("UPDATE audit_entry SET action = 'x' WHERE id = :id",
                          "DELETE FROM audit_entry WHERE id = :id"):
            # SQLite's trigger, or on PostgreSQL the app's role lacking the right at all
            with pytest.raises(DatabaseError, match=r"append-only|permission denied"):
                db.session.execute(text(statement), {"id": last})
            db.session.rollback()


def test_entries_written_at_the_same_moment_keep_one_unbroken_chain(app, make_client, factory):
    """The database reads the chain's head as it appends: concurrent appends must not fork it."""
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    clients = [make_client() for _ in range(6)]
    for each in clients:
        assert each.sign_in(practitioner.email).status_code == 201
    before = len(entries_for(app, family.id))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def read_and_write(each):
        barrier.wait()
        for _ in range(4):
            statuses.append(each.get(f"/api/v1/families/{family.id}/timeline").status_code)
            statuses.append(each.submit_visit(family.id, visit_body()).status_code)

    threads = [threading.Thread(target=read_and_write, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(statuses) == [200] * 24 + [201] * 24
    new = entries_for(app, family.id)[before:]
    assert sorted(entry.action for entry in new) == ["timeline.view"] * 24 + ["visit.create"] * 24
    with app.app_context():
        report = verify_chain()
        assert report.intact, report


def test_verify_command_detects_tampering(tmp_path):
    """In a database of its own: drop the guard, alter an entry, and the command says so."""
    from homelog import create_app

    url = f"sqlite:///{tmp_path / 'tamper.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
    factory = Factory(app)
    factory.family()  # writes several audit entries
    env = {**os.environ, "HOMELOG_DATABASE_URL": url}
    command = [sys.executable, "-m", "flask", "--app", "homelog", "audit", "verify"]
    ok = subprocess.run(command, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    with app.app_context():
        db.session.execute(text("DROP TRIGGER audit_entry_append_only_update"))
        db.session.execute(text("UPDATE audit_entry SET basis = 'forged' WHERE id = 2"))
        db.session.commit()
        db.engine.dispose()
    broken = subprocess.run(command, env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "BROKEN at entry 2" in broken.stderr
