import datetime as dt

from homelog.accounts.models import Role
from tests.factories import family_body
from tests.support import clock


def test_a_lead_opens_a_family_and_becomes_its_lead(client, factory):
    from tests.factories import unique

    lead = factory.lead()
    client.sign_in(lead.email)
    response = client.post("/api/v1/families", json=family_body(unique("REF")))
    assert response.status_code == 201
    family = response.json
    assert family["plan"] == {"category": "neglect", "started_on": "2026-06-01"}
    assert family["children"][0]["initials"] == "EF"
    assert family["core_group"] == [{**family["core_group"][0], "user_id": lead.id,
                                     "is_lead": True}]
    listed = client.get("/api/v1/families").json
    assert [f["id"] for f in listed] == [family["id"]]


def test_family_references_are_unique(client, factory):
    from tests.factories import unique

    lead = factory.lead()
    client.sign_in(lead.email)
    reference = unique("REF")
    assert client.post("/api/v1/families", json=family_body(reference)).status_code == 201
    again = client.post("/api/v1/families", json=family_body(reference))
    assert again.status_code == 409
    assert again.json["error"]["code"] == "family_exists"  # they can open it: no secret
    assert "reference" in again.json["error"]["fields"]


def _created(client, reference):
    response = client.post("/api/v1/families", json=family_body(reference))
    assert response.status_code == 201, response.json
    return response.json


def _ids_in(value):
    """Every id in an answer (the values of keys named id or ending in _id)."""
    if isinstance(value, list):
        return {found for item in value for found in _ids_in(item)}
    if not isinstance(value, dict):
        return set()
    ids = {item for key, item in value.items() if key == "id" or key.endswith("_id")}
    return ids | {found for item in value.values() for found in _ids_in(item)}


def _ignoring_ids(family):
    """A new family's answer, without what differs between any two new families."""
    skip = {"id", "core_group", "reference"}
    shape = {key: value for key, value in family.items() if key not in skip}
    shape["children"] = [{**child, "id": None} for child in family["children"]]
    return shape


def test_outsiders_cannot_learn_a_family_exists_from_creating_one(make_client, factory):
    """Someone who cannot open a family and uses its reference gets what a new reference
    gets: a new family of their own. The earlier family's lead is told, on its record."""
    from tests.factories import unique

    family = factory.family()
    made = []
    for outsider in (factory.lead(), factory.user(Role.MANAGER)):
        client = make_client()
        client.sign_in(outsider.email)
        taken = _created(client, family.reference)
        fresh = _created(client, unique("FREE"))
        assert _ignoring_ids(taken) == _ignoring_ids(fresh)
        assert taken["id"] != family.id
        assert family.id not in _ids_in(taken)
        assert client.get(f"/api/v1/families/{family.id}").status_code == 404
        made.append((outsider, taken))
    lead = make_client()
    lead.sign_in(family.lead.email)
    report = lead.get(f"/api/v1/families/{family.id}/who-viewed").json["entries"]
    shared = [entry for entry in report if entry["action"] == "family.reference_shared"]
    assert sorted(entry["person"]["id"] for entry in shared) == sorted(o.id for o, _ in made)
    told = [entry for entry in lead.get("/api/v1/inbox").json
            if entry["kind"] == "reference_shared"]
    assert len(told) == 2 and {entry["family"]["id"] for entry in told} == {family.id}
    assert {entry["news"][0]["title"].split(",")[0] for entry in told} \
        == {entry["person"]["name"] for entry in shared}
    # The creator of the second record hears nothing of the first; as its lead they are
    # told of the third (the manager's), about their own family only.
    outsider, taken = made[0]
    creator = make_client()
    creator.sign_in(outsider.email)
    about = [entry["family"]["id"] for entry in creator.get("/api/v1/inbox").json
             if entry["kind"] == "reference_shared"]
    assert about == [taken["id"]]
    # Once added to the earlier core group, a second attempt is refused: they know it now.
    assert lead.post(f"/api/v1/families/{family.id}/members",
                     json={"user_id": outsider.id}).status_code == 201
    again = creator.post("/api/v1/families", json=family_body(family.reference))
    assert again.status_code == 409 and again.json["error"]["code"] == "family_exists"
    practitioner = make_client()
    practitioner.sign_in(factory.user().email)  # may not add families: refused first
    known = practitioner.post("/api/v1/families", json=family_body(family.reference))
    unknown = practitioner.post("/api/v1/families", json=family_body("FREE-REF-1"))
    assert known.status_code == unknown.status_code == 403
    assert known.json == unknown.json


def test_bad_family_data_names_the_field(client, factory):
    lead = factory.lead()
    client.sign_in(lead.email)
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    cases = [
        ({"children": []}, "children"),
        ({"children": [{"initials": "Jane Smith Jones", "date_of_birth": "2025-01-01"}]},
         "children"),
        ({"plan": {"category": "bad", "started_on": "2026-01-01"}}, "plan"),
        ({"opened_on": future}, "opened_on"),
        ({"opened_on": "not a date"}, "opened_on"),
        ({"reference": "has spaces"}, "reference"),
        ({"nickname": "x"}, "nickname"),
    ]
    for overrides, field in cases:
        response = client.post("/api/v1/families", json={**family_body("REF-X"), **overrides})
        assert response.status_code == 422, (overrides, response.json)
        assert field in response.json["error"]["fields"], (overrides, response.json)


def test_the_lead_adds_members_and_they_then_see_the_family(make_client, factory):
    practitioner = factory.user()
    family = factory.family()
    lead = make_client()
    lead.sign_in(family.lead.email)
    outsider = make_client()
    outsider.sign_in(practitioner.email)
    assert outsider.get(f"/api/v1/families/{family.id}").status_code == 404
    added = lead.post(f"/api/v1/families/{family.id}/members", json={"user_id": practitioner.id})
    assert added.status_code == 201
    assert practitioner.id in [m["user_id"] for m in added.json]
    again = lead.post(f"/api/v1/families/{family.id}/members", json={"user_id": practitioner.id})
    assert again.status_code == 200
    assert len(again.json) == len(added.json)
    assert outsider.get(f"/api/v1/families/{family.id}").status_code == 200


def test_administrators_cannot_join_a_core_group(client, factory):
    admin = factory.user(Role.ADMINISTRATOR)
    family = factory.family()
    client.sign_in(family.lead.email)
    response = client.post(f"/api/v1/families/{family.id}/members", json={"user_id": admin.id})
    assert response.status_code == 422
    assert "user_id" in response.json["error"]["fields"]
    unknown = client.post(f"/api/v1/families/{family.id}/members", json={"user_id": 10**9})
    assert unknown.status_code == 422
