"""The account log: administrators see what happened outside any family (refused
sign-ins first among it), a page at a time; nobody else sees it, and no family's entries
are in it."""

from __future__ import annotations

from homelog.accounts.models import Profession, Role
from tests.support.api_client import ApiClient


def test_administrators_see_refused_sign_ins_and_no_familys_entries(app, factory):
    administrator = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    member = factory.user()
    family = factory.family(members=(member,))
    guesser = ApiClient(app)
    for _ in range(3):
        refused = guesser.sign_in(member.email, "not the password at all",)
        assert refused.status_code == 401
    reader = ApiClient(app)
    assert reader.sign_in(member.email).status_code == 201
    assert reader.get(f"/api/v1/families/{family.id}").status_code == 200

    admin = ApiClient(app)
    assert admin.sign_in(administrator.email).status_code == 201
    page = admin.get("/api/v1/audit/account-log",
                     query_string={"action": "session.sign_in_failed", "limit": 2})
    assert page.status_code == 200, page.json
    entries = page.json["entries"]
    assert len(entries) == 2 and page.json["next_before"] == entries[-1]["id"]
    assert all(entry["what"] == "Sign-in refused" for entry in entries)
    assert all(entry["address"] == "127.0.0.1" for entry in entries)
    assert all("not the password" not in str(entry["detail"]) for entry in entries)
    rest = admin.get("/api/v1/audit/account-log", query_string={
        "action": "session.sign_in_failed", "before": page.json["next_before"]}).json
    assert {entry["id"] for entry in rest["entries"]}.isdisjoint(e["id"] for e in entries)

    mine = admin.get("/api/v1/audit/account-log", query_string={"person": member.id}).json
    assert "session.start" in {entry["action"] for entry in mine["entries"]}
    assert "family.view" not in {entry["action"] for entry in mine["entries"]}
    assert reader.get("/api/v1/audit/account-log").status_code == 403


def test_a_new_agency_is_in_the_account_log_with_who_added_it(app, factory):
    administrator = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    admin = ApiClient(app)
    assert admin.sign_in(administrator.email).status_code == 201
    made = admin.post("/api/v1/agencies", json={"name": f"Agency {administrator.id} housing",
                                                "kind": "housing"})
    assert made.status_code == 201, made.json
    log = admin.get("/api/v1/audit/account-log", query_string={"action": "agency.create",
                                                               "limit": 1}).json
    (entry,) = log["entries"]
    assert (entry["user_id"], entry["what"], entry["detail"]["name"]) == (
        administrator.id, "Added an agency", f"Agency {administrator.id} housing")
