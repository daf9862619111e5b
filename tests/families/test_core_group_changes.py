"""Changing a core group: adding, removing, the lead; finding people; agencies that visit
without anyone in the group; each change in the history and on the timeline."""

from homelog.accounts.models import Profession, Role
from tests.engine.support import at_days_ago
from tests.factories import family_body, unique


def _signed_in(make_client, user):
    client = make_client()
    client.sign_in(user.email)
    return client


def _member_ids(answer):
    return sorted(entry["user_id"] for entry in answer)


def test_who_may_change_the_core_group(make_client, factory):
    manager, member, newcomer = factory.user(Role.MANAGER), factory.user(), factory.user()
    family = factory.family(members=(manager, member))
    url = f"/api/v1/families/{family.id}"
    practitioner = _signed_in(make_client, member)
    assert practitioner.post(f"{url}/members", json={"user_id": newcomer.id}).status_code == 403
    assert practitioner.delete(f"{url}/members/{manager.id}").status_code == 403
    assert practitioner.put(f"{url}/lead", json={"user_id": member.id}).status_code == 403
    outsider = _signed_in(make_client, factory.user(Role.MANAGER))
    assert outsider.post(f"{url}/members", json={"user_id": newcomer.id}).status_code == 404
    assert outsider.delete(f"{url}/members/{member.id}").status_code == 404
    assert outsider.put(f"{url}/lead", json={"user_id": member.id}).status_code == 404
    boss = _signed_in(make_client, manager)
    assert boss.post(f"{url}/members", json={"user_id": newcomer.id}).status_code == 201
    after = boss.delete(f"{url}/members/{newcomer.id}")
    assert after.status_code == 200 and newcomer.id not in _member_ids(after.json)
    assert boss.delete(f"{url}/members/{newcomer.id}").status_code == 404  # not in it now


def test_removal_ends_access_at_once_and_keeps_their_records(make_client, factory):
    member = factory.user(Role.PRACTITIONER, Profession.POLICE_OFFICER)
    family = factory.family(members=(member,))
    visit_id = factory.visit(family.id, member.id, at_days_ago(2))
    them = _signed_in(make_client, member)
    assert them.get(f"/api/v1/families/{family.id}").status_code == 200
    lead = _signed_in(make_client, family.lead)
    assert lead.delete(f"/api/v1/families/{family.id}/members/{member.id}").status_code == 200
    # The very next request by the same session is refused, as for any outsider.
    assert them.get(f"/api/v1/families/{family.id}").status_code == 404
    assert them.get(f"/api/v1/visits/{visit_id}").status_code == 404
    assert them.get("/api/v1/families").json == []
    # What they recorded stays, still theirs.
    visit = lead.get(f"/api/v1/visits/{visit_id}").json
    assert visit["author"]["id"] == member.id
    left = [item for item in lead.get(f"/api/v1/families/{family.id}/timeline").json["items"]
            if item["type"] == "change" and item["kind"] == "member_left"]
    assert len(left) == 1 and left[0]["member"]["id"] == member.id
    assert left[0]["summary"] == f"{left[0]['member']['name']} left the core group"


def test_one_lead_at_a_time_and_only_a_lead_social_worker(make_client, factory):
    manager, other_sw, practitioner = factory.user(Role.MANAGER), factory.lead(), factory.user()
    family = factory.family(members=(manager, other_sw, practitioner))
    url = f"/api/v1/families/{family.id}"
    lead = _signed_in(make_client, family.lead)
    not_sw = lead.put(f"{url}/lead", json={"user_id": practitioner.id})
    assert not_sw.status_code == 422 and "user_id" in not_sw.json["error"]["fields"]
    outside = lead.put(f"{url}/lead", json={"user_id": factory.lead().id})
    assert outside.status_code == 422
    # The lead cannot be removed; hand over first.
    refused = lead.delete(f"{url}/members/{family.lead.id}")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "is_lead"
    handed = lead.put(f"{url}/lead", json={"user_id": other_sw.id})
    assert handed.status_code == 200
    assert [e["user_id"] for e in handed.json if e["is_lead"]] == [other_sw.id]
    # The former lead is now a member who does not run the group.
    assert lead.put(f"{url}/lead", json={"user_id": family.lead.id}).status_code == 403
    boss = _signed_in(make_client, manager)
    assert boss.delete(f"{url}/members/{family.lead.id}").status_code == 200
    items = boss.get(f"{url}/timeline").json["items"]
    became = [item for item in items if item.get("kind") == "lead_changed"]
    assert len(became) == 1 and became[0]["member"]["id"] == other_sw.id
    assert became[0]["summary"].endswith("became the lead")


def test_the_last_person_who_can_run_the_group_stays(make_client, factory):
    """A family opened by a manager has no lead: its managers run it, and the last of them
    cannot leave until someone else could run the group."""
    manager, other_manager, practitioner = (factory.user(Role.MANAGER),
                                            factory.user(Role.MANAGER), factory.user())
    boss = _signed_in(make_client, manager)
    opened = boss.post("/api/v1/families", json=family_body(unique("REF")))
    assert opened.status_code == 201 and not any(m["is_lead"] for m in opened.json["core_group"])
    url = f"/api/v1/families/{opened.json['id']}"
    for user in (other_manager, practitioner):
        assert boss.post(f"{url}/members", json={"user_id": user.id}).status_code == 201
    second = _signed_in(make_client, other_manager)
    assert second.delete(f"{url}/members/{manager.id}").status_code == 200
    last = second.delete(f"{url}/members/{other_manager.id}")
    assert last.status_code == 409 and last.json["error"]["code"] == "last_runner"
    assert second.get(url).json["may_manage"] is True
    # Once a lead social worker leads it, the manager may go.
    lead = factory.lead()
    assert second.post(f"{url}/members", json={"user_id": lead.id}).status_code == 201
    assert second.put(f"{url}/lead", json={"user_id": lead.id}).status_code == 200
    assert second.delete(f"{url}/members/{other_manager.id}").status_code == 200
    assert second.get(url).status_code == 404  # their own access ended at once


def test_finding_people_to_add(make_client, factory, app):
    agency = factory.agency("police")
    officer = factory.user(Role.PRACTITIONER, Profession.POLICE_OFFICER, agency_id=agency)
    factory.user(Role.PRACTITIONER, Profession.POLICE_OFFICER, agency_id=agency, active=False)
    factory.user(Role.ADMINISTRATOR, agency_id=agency)
    lead = _signed_in(make_client, factory.lead())
    with app.app_context():
        from homelog.accounts.models import Agency
        from homelog.extensions import db
        agency_name = db.session.get_one(Agency, agency).name
    found = lead.get("/api/v1/families/people", query_string={"search": agency_name}).json
    assert isinstance(found, list), found
    assert [person["id"] for person in found] == [officer.id]  # active, not administrators
    assert set(found[0]) == {"id", "name", "profession_label", "role", "agency"}
    assert found[0]["profession_label"] == "Police officer"
    both = lead.get("/api/v1/families/people",
                    query_string={"search": f"PRACTITIONER {agency_name}"}).json
    assert [person["id"] for person in both] == [officer.id]
    assert lead.get("/api/v1/families/people", query_string={"search": f"nobody {agency_name}"}
                    ).json == []
    assert lead.get("/api/v1/families/people", query_string={"search": "%"}).json == []  # literal
    assert len(lead.get("/api/v1/families/people", query_string={"limit": 1}).json) == 1
    assert lead.get("/api/v1/families/people", query_string={"limit": 500}).status_code == 422
    practitioner = _signed_in(make_client, officer)
    assert practitioner.get("/api/v1/families/people").status_code == 403


def test_agencies_that_visit_without_anyone_in_the_group(make_client, factory):
    police = factory.agency("police")
    officer = factory.user(Role.PRACTITIONER, Profession.POLICE_OFFICER, agency_id=police)
    old_agency = factory.agency("housing")
    housing = factory.user(Role.PRACTITIONER, Profession.HOUSING_OFFICER, agency_id=old_agency)
    family = factory.family(members=(officer, housing))
    factory.visit(family.id, officer.id, at_days_ago(10))
    factory.visit(family.id, housing.id, at_days_ago(91))
    lead = _signed_in(make_client, family.lead)
    url = f"/api/v1/families/{family.id}"
    assert lead.get(f"{url}/missing-agencies").json == []
    lead.delete(f"{url}/members/{officer.id}")
    lead.delete(f"{url}/members/{housing.id}")
    missing = lead.get(f"{url}/missing-agencies").json
    # The housing visit was 91 days ago: outside the 90 days.
    assert [(entry["agency"]["id"], entry["visits"]) for entry in missing] == [(police, 1)]
    assert _signed_in(make_client, factory.user()).get(
        f"{url}/missing-agencies").status_code == 404
