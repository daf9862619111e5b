"""Administering people and agencies through the API: who may, what it does at once, what it
refuses, and what it leaves on the record."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select, update

from homelog.accounts import people
from homelog.accounts.models import Profession, Role, User
from homelog.audit.models import AuditEntry
from homelog.core.errors import ApiError
from homelog.extensions import db
from tests.factories import unique
from tests.support import clock
from tests.support.api_client import PASSWORD, ApiClient

NEW_PASSWORD = "lantern over the quiet harbour"


def _signed_in(make_client, email: str, password: str = PASSWORD) -> ApiClient:
    client = make_client()
    assert client.sign_in(email, password).status_code == 201
    return client


def _entries(app, action: str, target_id: int) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.execute(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.target_id == target_id)
            .order_by(AuditEntry.id)).scalars())


@pytest.fixture
def admin(factory, make_client) -> ApiClient:
    user = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client = _signed_in(make_client, user.email)
    client.user_id = user.id  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.LEAD_SOCIAL_WORKER, Role.MANAGER])
def test_only_administrators_manage_people_and_agencies(factory, make_client, role):
    someone = factory.user()
    client = _signed_in(make_client, factory.user(role).email)
    refused = [
        client.get("/api/v1/people"),
        client.get(f"/api/v1/users/{someone.id}"),
        client.post("/api/v1/users", json={
            "email": f"{unique('x')}@test.homelog.test", "name": "X",
            "agency_id": someone.agency_id, "role": "practitioner", "profession": "midwife"}),
        client.patch(f"/api/v1/users/{someone.id}", json={"role": "administrator"}),
        client.patch(f"/api/v1/users/{someone.id}", json={"active": False}),
        client.patch(f"/api/v1/agencies/{someone.agency_id}", json={"name": unique("A")}),
        client.post("/api/v1/agencies", json={"name": unique("A")}),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert {response.json["error"]["message"] for response in refused} == {
        "Your role does not allow this."}
    assert make_client().sign_in(someone.email).status_code == 201  # still active


def test_invite_a_person_who_sets_their_password_with_the_link(app, admin, factory,
                                                               make_client):
    agency = factory.agency()
    manager = factory.user(Role.MANAGER, Profession.TEAM_MANAGER, agency_id=agency)
    email = f"{unique('new')}@test.homelog.test"
    invited = admin.post("/api/v1/users", json={
        "email": email, "name": "New Midwife", "agency_id": agency, "role": "practitioner",
        "profession": "midwife", "manager_id": manager.id})
    assert invited.status_code == 201, invited.json
    assert invited.json["password_link_emailed"] is False  # no mail here: shown to hand over
    token = invited.json["password_link"].split("#token=")[1]
    listed = admin.get("/api/v1/people", query_string={"q": email}).json
    assert [(p["email"], p["password_set"], p["last_signed_in_at"], p["manager"]["id"])
            for p in listed] == [(email, False, None, manager.id)]
    assert make_client().sign_in(email, PASSWORD).status_code == 401  # no password yet

    anonymous = make_client()
    assert anonymous.post("/api/v1/password-reset/complete", json={
        "token": token, "password": NEW_PASSWORD}).status_code == 204
    _signed_in(make_client, email, NEW_PASSWORD)
    person = admin.get(f"/api/v1/users/{invited.json['id']}").json
    assert person["password_set"] is True
    assert person["last_signed_in_at"] is not None
    entry, = _entries(app, "user.create", invited.json["id"])
    assert entry.user_id == admin.user_id


def test_the_welcome_link_expires_after_the_configured_days(app, admin, factory, make_client):
    invited = admin.post("/api/v1/users", json={
        "email": f"{unique('late')}@test.homelog.test", "name": "Late", "role": "practitioner",
        "agency_id": factory.agency(), "profession": "gp"}).json
    token = invited["password_link"].split("#token=")[1]
    days = app.config["HOMELOG_WELCOME_LINK_DAYS"]
    later = clock.now() + dt.timedelta(days=days, minutes=1)
    with time_machine.travel(later, tick=False):
        expired = make_client().post("/api/v1/password-reset/complete",
                                     json={"token": token, "password": NEW_PASSWORD})
    assert expired.status_code == 422
    assert expired.json["error"]["code"] == "link_not_valid"


def test_last_sign_in_is_recorded(app, admin, factory, make_client):
    user = factory.user()
    assert admin.get(f"/api/v1/users/{user.id}").json["last_signed_in_at"] is None
    at = clock.now().replace(microsecond=0) + dt.timedelta(minutes=3)
    with time_machine.travel(at, tick=False):
        _signed_in(make_client, user.email)
    seen = admin.get(f"/api/v1/users/{user.id}").json["last_signed_in_at"]
    assert dt.datetime.fromisoformat(seen) == at


def test_set_role_agency_and_manager_audited_with_what_they_were(app, admin, factory):
    user = factory.user()
    other_agency = factory.agency()
    manager = factory.user(Role.MANAGER, Profession.TEAM_MANAGER)
    changed = admin.patch(f"/api/v1/users/{user.id}", json={
        "role": "lead_social_worker", "agency_id": other_agency, "manager_id": manager.id,
        "profession": "social_worker"})
    assert changed.status_code == 200, changed.json
    assert (changed.json["role"], changed.json["agency"]["id"], changed.json["manager"]["id"],
            changed.json["profession_label"]) == ("lead_social_worker", other_agency,
                                                  manager.id, "Social worker")
    entry, = _entries(app, "user.change", user.id)
    assert entry.detail == {
        "role": {"from": "practitioner", "to": "lead_social_worker"},
        "agency_id": {"from": user.agency_id, "to": other_agency},
        "manager_id": {"from": None, "to": manager.id},
        "profession": {"from": "health_visitor", "to": "social_worker"}}
    assert entry.user_id == admin.user_id
    # Nothing changed: nothing recorded.
    assert admin.patch(f"/api/v1/users/{user.id}",
                       json={"role": "lead_social_worker"}).status_code == 200
    assert len(_entries(app, "user.change", user.id)) == 1


@pytest.mark.parametrize("body, field", [
    ({"agency_id": 2**31 - 1}, "agency_id"), ({"manager_id": 2**31 - 1}, "manager_id"),
    ({"role": "king"}, "role"), ({"name": ""}, "name"), ({"colour": "red"}, "colour")])
def test_bad_changes_are_refused_naming_the_field(admin, factory, body, field):
    user = factory.user()
    response = admin.patch(f"/api/v1/users/{user.id}", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]


def test_an_invitation_naming_no_real_manager_is_refused_naming_it(admin, factory):
    response = admin.post("/api/v1/users", json={
        "email": f"{unique('x')}@test.homelog.test", "name": "X", "role": "practitioner",
        "agency_id": factory.agency(), "profession": "midwife", "manager_id": 2**31 - 1})
    assert response.status_code == 422, response.json
    assert "manager_id" in response.json["error"]["fields"]


def test_someone_is_not_their_own_manager(admin, factory):
    user = factory.user()
    response = admin.patch(f"/api/v1/users/{user.id}", json={"manager_id": user.id})
    assert response.status_code == 422
    assert "manager_id" in response.json["error"]["fields"]


def test_disable_ends_their_access_at_the_next_request_and_enable_restores_it(
        app, admin, factory, make_client):
    user = factory.user()
    theirs = _signed_in(make_client, user.email)
    assert theirs.get("/api/v1/caseload").status_code == 200
    disabled = admin.patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert disabled.status_code == 200 and disabled.json["active"] is False
    refused = theirs.get("/api/v1/caseload")
    assert refused.status_code == 401
    assert refused.json["error"]["message"] == "Please sign in."
    assert make_client().sign_in(user.email).status_code == 401
    assert [p["id"] for p in admin.get("/api/v1/people", query_string={
        "active": "false", "agency_id": user.agency_id}).json] == [user.id]

    enabled = admin.patch(f"/api/v1/users/{user.id}", json={"active": True})
    assert enabled.status_code == 200 and enabled.json["active"] is True
    assert _signed_in(make_client, user.email).get("/api/v1/caseload").status_code == 200
    assert len(_entries(app, "user.disable", user.id)) == 1
    assert len(_entries(app, "user.enable", user.id)) == 1


def test_an_administrator_cannot_disable_or_demote_themselves(admin, factory):
    factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)  # not the last one
    for body, field in (({"active": False}, "active"), ({"role": "manager"}, "role")):
        response = admin.patch(f"/api/v1/users/{admin.user_id}", json=body)
        assert response.status_code == 409, response.json
        assert response.json["error"]["code"] == "not_yourself"
        assert field in response.json["error"]["fields"]
    assert admin.get("/api/v1/people").status_code == 200  # still signed in, still admin


def test_another_administrator_can_be_disabled(admin, factory):
    other = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    assert admin.patch(f"/api/v1/users/{other.id}", json={"active": False}).status_code == 200


def test_the_last_active_administrator_stays_one(app, factory):
    only = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    with app.app_context():
        # Everyone else's administrators stepped down, in this transaction only.
        db.session.execute(update(User).where(User.role == Role.ADMINISTRATOR,
                                              User.id != only.id).values(active=False))
        actor = db.session.get_one(User, only.id)
        for body, field in (({"active": False}, "active"), ({"role": "manager"}, "role")):
            with pytest.raises(ApiError) as refused:
                people.change_person(actor, only.id, body)
            assert (refused.value.status, refused.value.code) == (409, "last_administrator")
            assert field in (refused.value.fields or {})
        db.session.rollback()


def test_rename_an_agency_audited_and_names_stay_unique(app, admin, factory):
    agency, other = factory.agency(), factory.agency()
    new_name = unique("Renamed agency")
    renamed = admin.patch(f"/api/v1/agencies/{agency}", json={"name": f"  {new_name} "})
    assert renamed.status_code == 200, renamed.json
    assert renamed.json["name"] == new_name
    listed = {a["id"]: a["name"] for a in admin.get("/api/v1/agencies").json}
    assert listed[agency] == new_name
    entry, = _entries(app, "agency.rename", agency)
    assert entry.detail["name"]["to"] == new_name and entry.user_id == admin.user_id
    taken = admin.patch(f"/api/v1/agencies/{other}", json={"name": new_name})
    assert taken.status_code == 409 and "name" in taken.json["error"]["fields"]
    assert admin.patch("/api/v1/agencies/999999999", json={"name": "x"}).status_code == 404


def test_reset_someones_two_step_sign_in(app, admin, factory, make_client):
    user = factory.user()
    theirs = _signed_in(make_client, user.email)
    assert admin.delete(f"/api/v1/users/{user.id}/second-factor").status_code == 204
    assert theirs.get("/api/v1/session").status_code == 401
    assert admin.get(f"/api/v1/users/{user.id}").json["second_factor_enrolled"] is False
    assert len(_entries(app, "user.second_factor_reset", user.id)) == 1


def test_an_administrator_sees_no_family_they_are_not_in(admin, factory):
    family = factory.family()
    assert admin.get(f"/api/v1/families/{family.id}").status_code == 404
    assert admin.get(f"/api/v1/families/{family.id}/timeline").status_code == 404
    assert family.id not in [entry["family"]["id"]
                             for entry in admin.get("/api/v1/caseload").json]
    assert family.id not in [f["id"] for f in admin.get("/api/v1/families").json]


def test_the_people_list_holds_no_family_data(admin, factory):
    lead = factory.lead()
    family = factory.family(lead=lead)
    listed = admin.get("/api/v1/people", query_string={"agency_id": lead.agency_id})
    text = listed.get_data(as_text=True)
    assert lead.email in text
    assert family.reference not in text and "family" not in text.lower()
