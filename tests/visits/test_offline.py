"""The offline kit (what a phone keeps to record visits with no signal) and the logged
discard of a queued visit or photo."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from homelog.visits.offline import age_in_months
from tests.factories import DOMAINS, visit_body
from tests.support import clock


@pytest.fixture
def practitioner(factory):
    return factory.user()


def audit_entries(app, action):
    with app.app_context():
        return db.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars().all()


def test_the_kit_holds_only_my_families_and_only_the_minimum(app, client, factory, practitioner):
    mine = factory.family(members=(practitioner,))
    other = factory.family()
    lead = factory.lead()
    agreed = factory.family(lead=lead, members=(practitioner,))
    lead_client = type(client)(app)
    lead_client.sign_in(lead.email)
    levels = dict.fromkeys(DOMAINS, 2) | {"kitchen": 3}
    response = lead_client.put(f"/api/v1/families/{agreed.id}/agreement",
                               json={"agreed_on": clock.today().isoformat(), "levels": levels})
    assert response.status_code == 200, response.json

    client.sign_in(practitioner.email)
    response = client.get("/api/v1/offline-kit")
    assert response.status_code == 200
    kit = response.json
    assert [domain["key"] for domain in kit["rubric"]["domains"]] == list(DOMAINS)
    assert kit["rubric"]["version"] >= 1 and kit["rubric"]["concerns"] and kit["rubric"]["rooms"]
    by_id = {family["id"]: family for family in kit["families"]}
    assert set(by_id) == {mine.id, agreed.id}
    assert other.id not in by_id
    family = by_id[mine.id]
    # Nothing but the reference, when it was opened, initials and ages, and agreed levels:
    # no address, no dates of birth, no plan, no core group.
    assert set(family) == {"id", "reference", "opened_on", "children", "agreed_levels"}
    assert family["reference"] == mine.reference
    assert family["children"] == [{"initials": "AB",
                                   "age_months": age_in_months(dt.date(2025, 6, 1),
                                                               clock.today())}]
    assert family["agreed_levels"] == dict.fromkeys(DOMAINS, 2)  # the rubric's defaults
    assert by_id[agreed.id]["agreed_levels"]["kitchen"] == 3


def test_reading_the_kit_is_audited_with_the_families_it_held(app, client, factory,
                                                              practitioner):
    family = factory.family(members=(practitioner,))
    client.sign_in(practitioner.email)
    assert client.get("/api/v1/offline-kit").status_code == 200
    entry = audit_entries(app, "offline_kit.view")[-1]
    assert entry.user_id == practitioner.id
    assert entry.family_id == family.id  # on the family's own record
    assert entry.address == "127.0.0.1"


def test_the_kit_needs_a_session(client):
    assert client.get("/api/v1/offline-kit").status_code == 401


@pytest.mark.parametrize(("born", "today", "months"), [
    (dt.date(2025, 6, 1), dt.date(2025, 6, 30), 0),
    (dt.date(2025, 6, 15), dt.date(2025, 7, 14), 0),
    (dt.date(2025, 6, 15), dt.date(2025, 7, 15), 1),
    (dt.date(2020, 2, 29), dt.date(2026, 2, 28), 71),
    (dt.date(2026, 3, 1), dt.date(2026, 2, 1), -1),
])
def test_age_in_whole_months(born, today, months):
    assert age_in_months(born, today) == months


def _discard(**overrides):
    body = {"kind": "visit", "idempotency_key": str(uuid.uuid4()),
            "queued_at": "2026-11-20T10:00:00Z",
            "reason": "The family moved out of area before this could be sent.",
            "last_problem": "No such family, or you are not in its core group."}
    body.update(overrides)
    return body


def test_a_discard_is_on_the_record_with_the_family(app, client, factory, practitioner):
    family = factory.family(members=(practitioner,))
    client.sign_in(practitioner.email)
    body = _discard(family_id=family.id)
    response = client.post("/api/v1/outbox/discards", json=body)
    assert response.status_code == 201, response.json
    assert response.json == {"kind": "visit", "idempotency_key": body["idempotency_key"],
                             "recorded_visit_id": None}
    entry = audit_entries(app, "outbox.discard")[-1]
    assert (entry.user_id, entry.family_id, entry.basis) == (
        practitioner.id, family.id, "core_group_member")
    assert entry.detail["idempotency_key"] == body["idempotency_key"]
    assert entry.detail["reason"] == body["reason"]
    assert entry.detail["last_problem"] == body["last_problem"]
    assert entry.detail["queued_at"].startswith("2026-11-20T10:00")


def test_a_discard_for_a_family_i_left_names_it_only_in_the_detail(app, client, factory,
                                                                   practitioner):
    outside = factory.family()
    client.sign_in(practitioner.email)
    response = client.post("/api/v1/outbox/discards", json=_discard(family_id=outside.id))
    assert response.status_code == 201
    entry = audit_entries(app, "outbox.discard")[-1]
    assert entry.family_id is None  # not in that family's "who has viewed" report
    assert entry.basis == "own_outbox"
    assert entry.detail["family_id"] == outside.id


def test_a_discard_says_when_the_visit_had_in_fact_arrived(app, client, factory, practitioner):
    family = factory.family(members=(practitioner,))
    client.sign_in(practitioner.email)
    key = str(uuid.uuid4())
    visit = client.submit_visit(family.id, visit_body(), key)
    assert visit.status_code == 201
    response = client.post("/api/v1/outbox/discards",
                           json=_discard(idempotency_key=key, family_id=family.id))
    assert response.status_code == 201
    assert response.json["recorded_visit_id"] == visit.json["id"]
    entry = audit_entries(app, "outbox.discard")[-1]
    assert (entry.target_type, entry.target_id) == ("visit", visit.json["id"])


def test_another_users_key_is_not_theirs_to_look_up(app, client, make_client, factory,
                                                    practitioner):
    family = factory.family(members=(practitioner,))
    client.sign_in(practitioner.email)
    key = str(uuid.uuid4())
    assert client.submit_visit(family.id, visit_body(), key).status_code == 201
    someone = factory.user()
    other = make_client()
    other.sign_in(someone.email)
    response = other.post("/api/v1/outbox/discards", json=_discard(idempotency_key=key))
    assert response.status_code == 201
    assert response.json["recorded_visit_id"] is None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"reason": "  "}, "reason"),
    ({"reason": None}, "reason"),
    ({"kind": "event"}, "kind"),
    ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
    ({"queued_at": "yesterday"}, "queued_at"),
    ({"kind": "photo"}, "visit_id"),
    ({"family_id": 0}, "family_id"),
    ({"surprise": 1}, "surprise"),
])
def test_a_bad_discard_is_refused_naming_the_field(app, client, practitioner, overrides, field):
    client.sign_in(practitioner.email)
    before = len(audit_entries(app, "outbox.discard"))
    response = client.post("/api/v1/outbox/discards", json=_discard(**overrides))
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert len(audit_entries(app, "outbox.discard")) == before


def test_a_photo_discard_names_its_visit(app, client, factory, practitioner):
    family = factory.family(members=(practitioner,))
    client.sign_in(practitioner.email)
    response = client.post("/api/v1/outbox/discards", json=_discard(
        kind="photo", visit_id=12345, family_id=family.id))
    assert response.status_code == 201
    entry = audit_entries(app, "outbox.discard")[-1]
    assert entry.target_type == "photo" and entry.detail["visit_id"] == 12345


def test_a_discard_needs_a_session_and_the_csrf_token(client, practitioner):
    assert client.post("/api/v1/outbox/discards", json=_discard()).status_code == 401
    client.sign_in(practitioner.email)
    client.csrf = None
    assert client.post("/api/v1/outbox/discards", json=_discard()).status_code == 403
