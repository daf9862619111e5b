"""What the audit trail holds beyond single reads: the address of every request's entries,
a refused request (on the family's record when the family exists), and a read that showed
several families, on each of them."""

from __future__ import annotations

from sqlalchemy import select

from homelog.audit.models import AuditEntry
from homelog.audit.verify import verify_chain
from homelog.extensions import db
from tests.support.api_client import ApiClient


def _entries(app, user_id: int, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.execute(select(AuditEntry).where(
            AuditEntry.user_id == user_id, AuditEntry.action == action)
            .order_by(AuditEntry.id)).scalars())
        db.session.expunge_all()
        return rows


def test_an_outsider_probing_a_family_is_on_its_record_with_the_address(app, factory):
    family = factory.family()
    outsider = factory.user()
    client = ApiClient(app)
    assert client.sign_in(outsider.email).status_code == 201
    probe = client.get(f"/api/v1/families/{family.id}/timeline",
                       environ_base={"REMOTE_ADDR": "192.0.2.7"})
    unknown = client.get("/api/v1/families/999999999")
    assert probe.status_code == unknown.status_code == 404
    assert probe.json["error"] == unknown.json["error"]  # the answers tell nothing apart
    refused = _entries(app, outsider.id, "request.refused")
    assert [(entry.family_id, entry.detail["path"], entry.detail["status"])
            for entry in refused] == [
        (family.id, f"/api/v1/families/{family.id}/timeline", 404),
        (None, "/api/v1/families/999999999", 404)]
    assert refused[0].address == "192.0.2.7" and refused[0].basis == "refused"
    with app.app_context():
        assert verify_chain().intact


def test_a_forbidden_change_is_on_the_record(app, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client = ApiClient(app)
    assert client.sign_in(practitioner.email).status_code == 201
    refused = client.post(f"/api/v1/families/{family.id}/legal-hold",
                          json={"reason": "Care proceedings under way."})
    assert refused.status_code == 403
    (entry,) = _entries(app, practitioner.id, "request.refused")
    assert entry.detail == {"method": "POST", "path": f"/api/v1/families/{family.id}/legal-hold",
                            "status": 403}


def test_a_list_of_families_is_on_each_familys_record(app, factory):
    practitioner = factory.user()
    families = [factory.family(members=(practitioner,)) for _ in range(3)]
    client = ApiClient(app)
    assert client.sign_in(practitioner.email).status_code == 201
    assert client.get("/api/v1/families").status_code == 200
    listed = _entries(app, practitioner.id, "family.list")
    assert sorted(entry.family_id for entry in listed) == sorted(f.id for f in families)
    for family in families:  # and so in each family's "who has viewed"
        lead = ApiClient(app)
        assert lead.sign_in(family.lead.email).status_code == 201
        report = lead.get(f"/api/v1/families/{family.id}/who-viewed",
                          query_string={"person": practitioner.id})
        assert report.status_code == 200, report.json
        assert report.json["entries"], report.json
