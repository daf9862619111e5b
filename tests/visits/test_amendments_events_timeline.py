import datetime as dt
import uuid

import pytest

from tests.factories import DOMAINS, visit_body
from tests.support import clock


@pytest.fixture
def setting(factory, client):
    practitioner = factory.user()
    police = factory.user(profession=__import__(
        "homelog.accounts.models", fromlist=["Profession"]).Profession.POLICE_OFFICER)
    family = factory.family(members=(practitioner, police))
    client.sign_in(practitioner.email)
    return family, practitioner, police


def test_an_amendment_supersedes_and_the_original_stays_visible(client, factory, setting):
    family, practitioner, _ = setting
    original = client.get(f"/api/v1/visits/{factory.visit(family.id, practitioner.id)}").json
    response = client.post(f"/api/v1/visits/{original['id']}/amendments",
                           json={"reason": "Scored the wrong domain", "scores": {"kitchen": 3}})
    assert response.status_code == 201
    amendment = response.json
    assert amendment["supersedes_id"] == original["id"]
    assert amendment["amendment_reason"] == "Scored the wrong domain"
    assert amendment["scores"] == {**dict.fromkeys(DOMAINS, 2), "kitchen": 3}
    assert amendment["visited_at"] == original["visited_at"]

    reread = client.get(f"/api/v1/visits/{original['id']}").json
    assert reread["superseded_by_id"] == amendment["id"]
    assert reread["scores"]["kitchen"] == 2  # unchanged

    items = client.get(f"/api/v1/families/{family.id}/timeline").json["items"]
    by_id = {item["id"]: item for item in items if item["type"] != "event"}
    assert by_id[original["id"]]["superseded_by_id"] == amendment["id"]
    assert by_id[amendment["id"]]["type"] == "amendment"


def test_an_amendment_needs_a_reason_and_a_change(client, factory, setting):
    family, practitioner, _ = setting
    visit_id = factory.visit(family.id, practitioner.id)
    url = f"/api/v1/visits/{visit_id}/amendments"
    no_reason = client.post(url, json={"scores": {"kitchen": 3}})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json["error"]["fields"]
    blank = client.post(url, json={"reason": "   ", "scores": {"kitchen": 3}})
    assert blank.status_code == 422
    nothing = client.post(url, json={"reason": "Checking", "scores": {"kitchen": 2}})
    assert nothing.status_code == 422
    assert "reason" in nothing.json["error"]["fields"]


def test_amendments_are_validated_like_visits(client, factory, setting):
    family, practitioner, _ = setting
    visit_id = factory.visit(family.id, practitioner.id)
    response = client.post(f"/api/v1/visits/{visit_id}/amendments",
                           json={"reason": "Worse than I wrote", "scores": {"sleep": 5}})
    assert response.status_code == 422
    assert "notes" in response.json["error"]["fields"]


def test_only_the_author_may_amend_and_only_the_latest_version(client, make_client, factory,
                                                              setting):
    family, practitioner, police = setting
    visit_id = factory.visit(family.id, practitioner.id)
    other = make_client()
    other.sign_in(police.email)
    refused = other.post(f"/api/v1/visits/{visit_id}/amendments",
                         json={"reason": "I disagree", "scores": {"kitchen": 4}, "notes": "x"})
    assert refused.status_code == 403
    first = client.post(f"/api/v1/visits/{visit_id}/amendments",
                        json={"reason": "Typo", "scores": {"kitchen": 1}})
    assert first.status_code == 201
    second = client.post(f"/api/v1/visits/{visit_id}/amendments",
                         json={"reason": "Another", "scores": {"kitchen": 3}})
    assert second.status_code == 409
    assert str(first.json["id"]) in second.json["error"]["message"]
    chained = client.post(f"/api/v1/visits/{first.json['id']}/amendments",
                          json={"reason": "Another", "scores": {"kitchen": 3}})
    assert chained.status_code == 201


def test_amendment_replay_with_key_returns_the_same_amendment(client, factory, setting):
    family, practitioner, _ = setting
    visit_id = factory.visit(family.id, practitioner.id)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"reason": "Typo", "scores": {"kitchen": 1}}
    first = client.post(f"/api/v1/visits/{visit_id}/amendments", json=body, headers=key)
    again = client.post(f"/api/v1/visits/{visit_id}/amendments", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]


@pytest.mark.parametrize("key", ["", " ", "\t"])
def test_a_blank_key_is_refused_not_taken_for_no_key(client, factory, setting, key):
    """The key is optional on events and amendments, but one sent blank is not a UUID:
    taken for no key, each retry of the event would be recorded again (found by
    schemathesis, tests/test_schemathesis.py)."""
    family, practitioner, _ = setting
    visit_id = factory.visit(family.id, practitioner.id)
    when = (clock.now() - dt.timedelta(hours=5)).isoformat()
    for url, body in [
        (f"/api/v1/families/{family.id}/events",
         {"occurred_at": when, "kind": "other", "summary": "Letter"}),
        (f"/api/v1/visits/{visit_id}/amendments", {"reason": "Typo", "notes": "Fixed"}),
    ]:
        response = client.post(url, json=body, headers={"Idempotency-Key": key})
        assert response.status_code == 400, (url, response.json)
        assert response.json["error"]["code"] == "idempotency_key_invalid"


def test_events_are_recorded_and_validated(client, setting):
    family, _, _ = setting
    url = f"/api/v1/families/{family.id}/events"
    when = (clock.now() - dt.timedelta(hours=5)).isoformat()
    ok = client.post(url, json={"occurred_at": when, "kind": "police_callout",
                                "summary": "Neighbour reported shouting", "source": "Control room"})
    assert ok.status_code == 201
    assert ok.json["kind"] == "police_callout"
    bad_kind = client.post(url, json={"occurred_at": when, "kind": "gossip", "summary": "x"})
    assert "kind" in bad_kind.json["error"]["fields"]
    future = (clock.now() + dt.timedelta(days=1)).isoformat()
    bad_time = client.post(url, json={"occurred_at": future, "kind": "other", "summary": "x"})
    assert "occurred_at" in bad_time.json["error"]["fields"]
    empty = client.post(url, json={"occurred_at": when, "kind": "other", "summary": ""})
    assert "summary" in empty.json["error"]["fields"]


def test_timeline_shows_every_agency_newest_first_with_who_was_present(
    client, factory, setting
):
    family, practitioner, police = setting
    now = clock.now()
    factory.visit(family.id, practitioner.id, now - dt.timedelta(days=3), announced=True,
                  present=["mother", "father_or_partner", "children_seen"])
    factory.visit(family.id, police.id, now - dt.timedelta(days=1))
    factory.event(family.id, police.id, now - dt.timedelta(days=2), kind="police_callout",
                  summary="Call-out", source="")
    items = [item for item in client.get(f"/api/v1/families/{family.id}/timeline").json["items"]
             if item["type"] != "change"]  # the record's changes: test_timeline_changes.py
    assert [item["type"] for item in items] == ["visit", "event", "visit"]
    assert items[0]["agency"]["id"] == police.agency_id
    assert items[2]["agency"]["id"] == practitioner.agency_id
    assert items[2]["announced"] is True
    assert items[2]["present"] == ["mother", "father_or_partner", "children_seen"]
    assert items[2]["author"]["profession_label"] == "Health visitor"
    times = [item["at"] for item in items]
    assert times == sorted(times, reverse=True)


def test_timeline_pages(client, factory, setting):
    family, practitioner, _ = setting
    now = clock.now()
    for day in range(1, 6):
        factory.visit(family.id, practitioner.id, now - dt.timedelta(days=day))
    url = f"/api/v1/families/{family.id}/timeline"
    total = len(client.get(url, query_string={"per_page": 100}).json["items"])  # and changes
    pages = [client.get(url, query_string={"per_page": 2, "page": page}).json
             for page in range(1, (total + 1) // 2 + 1)]
    assert [page["has_more"] for page in pages] == [True] * (len(pages) - 1) + [False]
    ids = [item["id"] for page in pages for item in page["items"] if item["type"] == "visit"]
    assert len(ids) == len(set(ids)) == 5
    bad = client.get(url, query_string={"per_page": 1000})
    assert bad.status_code == 422
    assert "per_page" in bad.json["error"]["fields"]
    typo = client.get(url, query_string={"pgae": 2})  # refused, not quietly page 1
    assert typo.status_code == 422
    assert list(typo.json["error"]["fields"]) == ["pgae"]


def test_every_field_is_shown_under_its_own_name(client, setting):
    """Rows are read by position for speed; each value must still land under its own name."""
    family, practitioner, _ = setting
    now = clock.now().replace(microsecond=0)
    body = visit_body(
        visited_at=(now - dt.timedelta(hours=3)).isoformat(), announced=True,
        present=["father_or_partner", "children_seen"], rooms_seen=["kitchen", "outside"],
        scores={**dict.fromkeys(DOMAINS, 1), "food": 4, "air": None},
        concerns=["no_food"], notes="Cupboards empty; food bank referral made.",
        child_presentation="Hungry and tired.")
    created = client.submit_visit(family.id, body)
    assert created.status_code == 201
    event = client.post(f"/api/v1/families/{family.id}/events", json={
        "occurred_at": (now - dt.timedelta(hours=2)).isoformat(), "kind": "gp_information",
        "summary": "Missed immunisations", "source": "GP surgery"}).json
    items = [item for item in client.get(f"/api/v1/families/{family.id}/timeline").json["items"]
             if item["type"] != "change"]
    shown_event, shown_visit = items[0], items[1]
    me = client.get("/api/v1/session").json["user"]
    author = {"id": practitioner.id, "name": me["name"], "profession": "health_visitor",
              "profession_label": "Health visitor"}
    agency = {"id": practitioner.agency_id, "name": me["agency"]["name"]}

    expected_visit = {
        "type": "visit", "id": created.json["id"], "at": (now - dt.timedelta(hours=3)).isoformat(),
        "agency": agency, "author": author,
        "announced": True, "present": body["present"], "rooms_seen": body["rooms_seen"],
        "scores": body["scores"], "concerns": ["no_food"], "notes": body["notes"],
        "child_presentation": "Hungry and tired.", "rubric_version": created.json["rubric_version"],
        "supersedes_id": None, "amendment_reason": None, "superseded_by_id": None,
    }
    reread = client.get(f"/api/v1/visits/{created.json['id']}").json
    assert {key: shown_visit[key] for key in expected_visit} == expected_visit
    # The visit endpoints show the same, with the family and visited_at instead of type and at.
    as_visit = {key: value for key, value in expected_visit.items() if key not in ("type", "at")}
    as_visit.update(family_id=family.id, visited_at=expected_visit["at"])
    for described in (created.json, reread):
        assert {key: described[key] for key in as_visit} == as_visit
    # The timeline reads times as text (microseconds and all): the same text as elsewhere.
    assert shown_visit["recorded_at"] == reread["recorded_at"] == created.json["recorded_at"]
    for described in (shown_visit, created.json, reread):
        recorded = dt.datetime.fromisoformat(described["recorded_at"])
        assert now - dt.timedelta(minutes=1) <= recorded <= clock.now()

    assert shown_event == {
        "type": "event", "id": event["id"], "at": (now - dt.timedelta(hours=2)).isoformat(),
        "recorded_at": event["recorded_at"],
        "agency": agency, "author": author,
        "kind": "gp_information", "summary": "Missed immunisations", "source": "GP surgery",
    }

