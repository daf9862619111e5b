"""GET /api/v1/caseload: my families at a glance (the app's "My families")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from tests.engine.support import analyse, at_days_ago
from tests.factories import visit_body
from tests.support import clock


def _entry(client, family_id: int) -> dict:
    response = client.get("/api/v1/caseload")
    assert response.status_code == 200, response.json
    (entry,) = [item for item in response.json if item["family"]["id"] == family_id]
    return entry


def test_just_after_midnight_a_visit_three_dates_back_was_three_days_ago(factory, make_client):
    """At 00:30 on 5 December, a visit at 11:00 on 2 December was 3 days ago, not 2."""
    with clock.frozen_at(dt.datetime(2026, 12, 5, 0, 30, tzinfo=dt.UTC)):  # GMT: London time
        practitioner = factory.user()
        family = factory.family(members=(practitioner,))
        factory.visit(family.id, practitioner.id, dt.datetime(2026, 12, 2, 11, tzinfo=dt.UTC))
        client = make_client()
        client.sign_in(practitioner.email)
        assert _entry(client, family.id)["days_since_last_visit"] == 3
        trends = client.get(f"/api/v1/families/{family.id}/trends").json["metrics"]
        assert trends["days_since_last_visit"] == 3


def test_a_family_never_visited_has_no_figures_yet(factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client = make_client()
    client.sign_in(practitioner.email)
    entry = _entry(client, family.id)
    assert entry["family"]["reference"] == family.reference
    assert entry["family"]["children"][0]["initials"] == "AB"
    assert entry["open_flags"] == 0 and entry["most_severe_open_flag"] is None
    assert entry["days_since_last_visit"] is None
    assert entry["days_since_last_unannounced"] is None


def test_days_since_the_last_visit_and_the_last_unannounced_one(factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    factory.visit(family.id, practitioner.id, at_days_ago(9), announced=False)
    factory.visit(family.id, practitioner.id, at_days_ago(3), announced=True)
    client = make_client()
    client.sign_in(practitioner.email)
    entry = _entry(client, family.id)
    assert entry["days_since_last_visit"] == 3
    assert entry["days_since_last_unannounced"] == 9
    trends = client.get(f"/api/v1/families/{family.id}/trends").json["metrics"]
    assert entry["days_since_last_visit"] == trends["days_since_last_visit"]
    assert entry["days_since_last_unannounced"] == trends["days_since_last_unannounced"]


def test_open_flags_are_counted_until_acknowledged(app, factory, make_client):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client = make_client()
    client.sign_in(practitioner.email)
    assert client.submit_visit(family.id, visit_body(
        concerns=["no_food"], notes="No food in the flat.")).status_code == 201
    analyse(app, [family.id])
    open_flags = client.get(f"/api/v1/families/{family.id}/flags?state=open").json
    entry = _entry(client, family.id)
    assert entry["open_flags"] == len(open_flags) >= 1
    assert entry["most_severe_open_flag"] == "immediate"

    lead = make_client()
    lead.sign_in(family.lead.email)
    concern = next(flag for flag in open_flags if flag["kind"] == "immediate_concern")
    assert lead.post(f"/api/v1/flags/{concern['id']}/acknowledge",
                     json={"response": "Food bank voucher given today."}).status_code == 200
    after = _entry(client, family.id)
    assert after["open_flags"] == entry["open_flags"] - 1
    assert after["most_severe_open_flag"] != "immediate"


def test_only_my_families_are_listed_and_the_listing_is_audited(app, factory, make_client):
    practitioner = factory.user()
    mine = factory.family(members=(practitioner,))
    factory.family()  # someone else's
    client = make_client()
    client.sign_in(practitioner.email)
    response = client.get("/api/v1/caseload")
    assert [item["family"]["id"] for item in response.json] == [mine.id]
    with app.app_context():  # on the family shown, so its "who has viewed" has it
        families = db.session.execute(select(AuditEntry.family_id).where(
            AuditEntry.user_id == practitioner.id,
            AuditEntry.action == "family.list")).scalars().all()
    assert families == [mine.id]


def test_signing_in_is_required(make_client):
    assert make_client().get("/api/v1/caseload").status_code == 401
