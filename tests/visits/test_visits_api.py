import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import func, select

from homelog.extensions import db
from homelog.visits.models import Visit
from tests.factories import DOMAINS, visit_body
from tests.support import clock


@pytest.fixture
def family(factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    return family, practitioner


@pytest.fixture
def signed_in(client, family):
    _, practitioner = family
    client.sign_in(practitioner.email)
    return client


def count_visits(app, family_id, key=None):
    with app.app_context():
        query = select(func.count()).select_from(Visit).where(Visit.family_id == family_id)
        if key:
            query = query.where(Visit.idempotency_key == key)
        return db.session.execute(query).scalar()


def test_a_visit_is_recorded_with_author_agency_and_rubric_version(signed_in, family):
    fam, practitioner = family
    response = signed_in.submit_visit(fam.id, visit_body())
    assert response.status_code == 201
    visit = response.json
    assert visit["author"]["id"] == practitioner.id
    assert visit["agency"]["id"] == practitioner.agency_id
    assert visit["rubric_version"] >= 1
    assert visit["scores"] == dict.fromkeys(DOMAINS, 2)
    assert visit["superseded_by_id"] is None


def test_replay_with_same_key_and_payload_returns_the_original(app, signed_in, family):
    fam, _ = family
    key = str(uuid.uuid4())
    body = visit_body()
    first = signed_in.submit_visit(fam.id, body, key)
    again = signed_in.submit_visit(fam.id, dict(reversed(list(body.items()))), key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert count_visits(app, fam.id) == 1


def test_replay_gets_the_original_even_if_the_content_would_not_pass_now(
    app, signed_in, family, monkeypatch
):
    """The insert finds replays; a replay that no longer validates must still find it."""
    fam, _ = family
    key = str(uuid.uuid4())
    body = visit_body(notes="Forty characters of notes, give or take.")
    first = signed_in.submit_visit(fam.id, body, key)
    assert first.status_code == 201
    monkeypatch.setitem(app.config, "HOMELOG_NOTES_MAX_CHARS", 10)  # the partnership tightened it
    again = signed_in.submit_visit(fam.id, body, key)
    assert again.status_code == 200
    assert again.json == first.json
    new = signed_in.submit_visit(fam.id, body)
    assert new.status_code == 422
    assert "notes" in new.json["error"]["fields"]
    reused = signed_in.submit_visit(fam.id, visit_body(scores={"nonsense": 1}), key)
    assert reused.status_code == 422
    assert reused.json["error"]["code"] == "idempotency_key_reused"
    assert count_visits(app, fam.id) == 1


def test_same_key_with_different_payload_is_refused(app, signed_in, family):
    fam, _ = family
    key = str(uuid.uuid4())
    assert signed_in.submit_visit(fam.id, visit_body(), key).status_code == 201
    response = signed_in.submit_visit(fam.id, visit_body(announced=True), key)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json["error"]["fields"]
    assert count_visits(app, fam.id) == 1


def test_concurrent_submissions_with_one_key_make_one_visit(app, make_client, family):
    fam, practitioner = family
    key = str(uuid.uuid4())
    body = visit_body()
    clients = [make_client() for _ in range(6)]
    for c in clients:
        assert c.sign_in(practitioner.email).status_code == 201
    barrier = threading.Barrier(len(clients))
    results = []

    def submit(c):
        barrier.wait()
        response = c.submit_visit(fam.id, body, key)
        results.append((response.status_code, response.json.get("id")))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 5 + [201]
    assert len({visit_id for _, visit_id in results}) == 1
    assert count_visits(app, fam.id, key) == 1


def test_missing_or_malformed_idempotency_key_is_a_clear_400(signed_in, family):
    fam, _ = family
    missing = signed_in.post(f"/api/v1/families/{fam.id}/visits", json=visit_body())
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.json["error"]["fields"]
    bad = signed_in.submit_visit(fam.id, visit_body(), key="not-a-uuid")
    assert bad.status_code == 400
    assert bad.json["error"]["code"] == "idempotency_key_invalid"


def _field_errors(response):
    assert response.status_code == 422, response.json
    return response.json["error"]["fields"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scores": {**dict.fromkeys(DOMAINS, 2), "garden": 2}}, "scores"),
        ({"scores": {**dict.fromkeys(DOMAINS, 2), "kitchen": 6}}, "scores"),
        ({"scores": {**dict.fromkeys(DOMAINS, 2), "kitchen": 0}}, "scores"),
        ({"scores": {**dict.fromkeys(DOMAINS, 2), "kitchen": "2"}}, "scores"),
        ({"scores": {**dict.fromkeys(DOMAINS, 2), "kitchen": 2.5}}, "scores"),
        ({"scores": {"kitchen": 2}}, "scores"),
        ({"concerns": ["dirty_curtains"], "notes": "noted"}, "concerns"),
        ({"rooms_seen": ["ballroom"]}, "rooms_seen"),
        ({"present": ["uncle"]}, "present"),
        ({"present": ["mother", "mother"]}, "present"),
        ({"announced": "yes"}, "announced"),
        ({"announced": None}, "announced"),
        ({"visited_at": "yesterday"}, "visited_at"),
        ({"visited_at": 1234}, "visited_at"),
        ({"notes": 42}, "notes"),
        ({"notes": "x" * 5001}, "notes"),
        ({"surprise": True}, "surprise"),
        ({"scores": [2, 2]}, "scores"),
    ],
)
def test_invalid_visits_are_refused_naming_the_field(signed_in, family, overrides, field):
    fam, _ = family
    fields = _field_errors(signed_in.submit_visit(fam.id, visit_body(**overrides)))
    assert field in fields


def test_a_phone_a_few_minutes_fast_is_accepted_and_the_future_is_refused(signed_in, family):
    fam, _ = family
    now = clock.now()
    with clock.frozen_at(now):  # "ahead" is measured from this exact instant
        def ahead(minutes: float):
            when = (now + dt.timedelta(minutes=minutes)).isoformat()
            return signed_in.submit_visit(fam.id, visit_body(visited_at=when))

        assert ahead(4.9).status_code == 201  # within the 5 minutes a phone may be fast
        for minutes in (5.1, 120):
            (message,) = _field_errors(ahead(minutes))["visited_at"]
            assert message.startswith("Cannot be in the future: it is now ")
            assert "a time up to 5 minutes ahead is accepted" in message
        event = {"occurred_at": (now + dt.timedelta(hours=1)).isoformat(),
                 "kind": "police_callout", "summary": "Call-out.", "source": "Police"}
        refused = signed_in.post(f"/api/v1/families/{fam.id}/events", json=event,
                                 headers={"Idempotency-Key": str(uuid.uuid4())})
        assert refused.status_code == 422, refused.json
        assert refused.json["error"]["fields"]["occurred_at"][0].startswith(
            "Cannot be in the future")


def test_a_visit_before_the_family_was_opened_is_refused_but_history_after_is_fine(
    client, factory
):
    practitioner = factory.user()
    opened = clock.today() - dt.timedelta(days=400)
    fam = factory.family(members=(practitioner,), opened_on=opened)
    client.sign_in(practitioner.email)
    before = dt.datetime.combine(opened - dt.timedelta(days=3), dt.time(10), dt.UTC)
    fields = _field_errors(client.submit_visit(fam.id, visit_body(visited_at=before.isoformat())))
    assert "visited_at" in fields
    after = dt.datetime.combine(opened + dt.timedelta(days=3), dt.time(10), dt.UTC)
    assert client.submit_visit(fam.id, visit_body(visited_at=after.isoformat())).status_code == 201


def test_empty_and_non_json_bodies_are_refused(signed_in, family):
    fam, _ = family
    url = f"/api/v1/families/{fam.id}/visits"
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    empty = signed_in.post(url, json={}, headers=headers)
    assert {"visited_at", "announced", "scores"} <= set(_field_errors(empty))
    garbage = signed_in.post(url, data="{not json", headers={**headers,
                             "Content-Type": "application/json"})
    assert 400 <= garbage.status_code < 500
    assert "error" in garbage.json
    array = signed_in.post(url, json=[1, 2], headers=headers)
    assert array.status_code == 422


@pytest.mark.parametrize("score", [4, 5])
def test_a_score_of_4_or_5_needs_a_note(signed_in, family, score):
    fam, _ = family
    scores = {**dict.fromkeys(DOMAINS, 2), "sleep": score}
    fields = _field_errors(signed_in.submit_visit(fam.id, visit_body(scores=scores)))
    assert "sleep" in fields["notes"][0]
    ok = signed_in.submit_visit(fam.id, visit_body(scores=scores, notes="Soiled mattress."))
    assert ok.status_code == 201


def test_a_concern_needs_a_note(signed_in, family):
    fam, _ = family
    fields = _field_errors(signed_in.submit_visit(fam.id, visit_body(concerns=["unsafe_sleep"])))
    assert "notes" in fields
    ok = signed_in.submit_visit(
        fam.id, visit_body(concerns=["unsafe_sleep"], notes="Baby asleep on sofa with father.")
    )
    assert ok.status_code == 201
    assert ok.json["concerns"] == ["unsafe_sleep"]


def test_not_seen_is_recorded_as_null(signed_in, family):
    fam, _ = family
    scores = {**dict.fromkeys(DOMAINS, 2), "bathroom": None}
    response = signed_in.submit_visit(fam.id, visit_body(scores=scores))
    assert response.status_code == 201
    assert response.json["scores"]["bathroom"] is None


def test_local_time_without_offset_is_read_as_partnership_time(client, factory):
    practitioner = factory.user()
    fam = factory.family(members=(practitioner,), opened_on=clock.today() - dt.timedelta(800))
    client.sign_in(practitioner.email)
    # 1 July is in British Summer Time (UTC+1); 1 January is not.
    year = clock.today().year - 1
    summer = client.submit_visit(fam.id, visit_body(visited_at=f"{year}-07-01T10:30:00"))
    winter = client.submit_visit(fam.id, visit_body(visited_at=f"{year}-01-05T10:30:00"))
    assert summer.json["visited_at"].startswith(f"{year}-07-01T09:30:00")
    assert winter.json["visited_at"].startswith(f"{year}-01-05T10:30:00")


def test_visits_cannot_be_changed_or_deleted_through_any_endpoint(app, signed_in, family,
                                                                  factory):
    fam, practitioner = family
    visit_id = factory.visit(fam.id, practitioner.id)
    for method in ("put", "patch", "delete"):
        response = getattr(signed_in.http, method)(
            f"/api/v1/visits/{visit_id}", json={"notes": "changed"},
            headers={"X-CSRF-Token": signed_in.csrf},
        )
        assert response.status_code == 405
    with app.test_request_context():
        visit_rules = [r for r in app.url_map.iter_rules() if "visit_id" in r.arguments]
    for rule in visit_rules:
        assert not (rule.methods & {"PUT", "PATCH", "DELETE"}), rule


def test_the_database_refuses_to_update_or_delete_a_visit(app, family, factory,
                                                         database_url):
    fam, practitioner = family
    visit_id = factory.visit(fam.id, practitioner.id)
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DatabaseError

    # Every way SQL can rewrite a row: UPDATE, DELETE, an upsert, and SQLite's REPLACE
    # (which deletes the old row, so its guard needs recursive triggers on).
    statements = ["UPDATE visit SET notes = 'tampered' WHERE id = :id",
                  "DELETE FROM visit WHERE id = :id",
                  "INSERT INTO visit SELECT * FROM visit WHERE id = :id "
                  "ON CONFLICT (id) DO UPDATE SET notes = 'tampered'"]
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    if sqlite:
        statements += ["REPLACE INTO visit SELECT * FROM visit WHERE id = :id",
                       "INSERT OR REPLACE INTO visit SELECT * FROM visit WHERE id = :id"]
    # On PostgreSQL the app's role may not even try; the tables' owner meets the trigger.
    with app.app_context():
        for statement in statements:
            with pytest.raises(DatabaseError,
                               match="append-only" if sqlite else "permission denied"):
                db.session.execute(text(statement), {"id": visit_id})
            db.session.rollback()
    if not sqlite:
        owner = create_engine(database_url)
        for statement in statements:
            with owner.connect() as connection, pytest.raises(DatabaseError,
                                                              match="append-only"):
                connection.execute(text(statement), {"id": visit_id})
        owner.dispose()
    with app.app_context():
        notes = db.session.execute(text("SELECT notes FROM visit WHERE id = :id"),
                                   {"id": visit_id}).scalar_one()
        assert notes != "tampered"
