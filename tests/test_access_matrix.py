"""Every route in the URL map x every kind of user → the expected status.

The expectations are keyed by (endpoint, method). A route added without an entry
here fails `test_every_route_is_in_the_matrix`, so no endpoint escapes the matrix.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from homelog.accounts.models import Profession, Role
from tests.factories import unique, visit_body
from tests.photos.pictures import small_jpeg
from tests.photos.uploads import photo
from tests.support import clock
from tests.support.api_client import PASSWORD, ApiClient

PERSONAS = ("member", "same_agency", "other_agency", "administrator", "anonymous")
_SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def _all(status: int, anonymous: int = 401) -> dict[str, int]:
    return {**dict.fromkeys(PERSONAS, status), "anonymous": anonymous}


def _family_scoped(member: int) -> dict[str, int]:
    """Only the core group may touch a family; everyone else is told it does not exist."""
    return {"member": member, "same_agency": 404, "other_agency": 404, "administrator": 404,
            "anonymous": 401}


def _admin_only(success: int) -> dict[str, int]:
    return {**_all(403), "administrator": success}


EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("health.health", "GET"): _all(200, anonymous=200),
    ("ops.ready", "GET"): _all(200, anonymous=200),  # for load balancers: names no data
    ("api-docs.openapi_json", "GET"): _all(200, anonymous=200),
    ("accounts.SessionResource", "POST"): _all(401, anonymous=401),  # wrong password for all
    ("accounts.SessionResource", "GET"): _all(200),
    ("accounts.SessionResource", "DELETE"): _all(204),
    ("accounts.ConfirmResource", "POST"): _all(200),  # each confirms their own password
    ("accounts.SecondFactorResource", "POST"): _all(201),  # each sets up their own
    ("accounts.SecondFactorConfirmResource", "POST"): _all(422),  # a wrong first code
    ("accounts.UserSecondFactorResource", "DELETE"): _admin_only(204),
    ("accounts.UserPasswordLinkResource", "POST"): _admin_only(201),
    ("accounts.OwnPasswordResource", "POST"): _all(422),  # a wrong current password
    ("accounts.PasswordResetResource", "POST"): _all(202, anonymous=202),  # same for all
    ("accounts.SetPasswordResource", "POST"): _all(422, anonymous=422),  # no such link
    ("accounts.UsersResource", "GET"): _all(200),
    ("accounts.UsersResource", "POST"): _admin_only(201),
    ("accounts.UserResource", "PATCH"): _admin_only(200),
    ("accounts.UserResource", "GET"): _admin_only(200),
    ("accounts.PeopleResource", "GET"): _admin_only(200),
    ("accounts.AgencyResource", "PATCH"): _admin_only(200),
    ("accounts.AgenciesResource", "GET"): _all(200),
    ("accounts.AgenciesResource", "POST"): _admin_only(201),
    ("families.FamiliesResource", "GET"): _all(200),
    # managers and lead social workers open family records; practitioners and admins may not
    ("families.FamiliesResource", "POST"): {**_all(403), "same_agency": 201, "other_agency": 201},
    ("families.FamilyResource", "GET"): _family_scoped(200),
    ("families.MembersResource", "GET"): _family_scoped(200),
    ("families.MembersResource", "POST"): _family_scoped(403),  # member is a practitioner
    ("families.AccessLogResource", "GET"): _family_scoped(403),
    ("families.WhoViewedResource", "GET"): _family_scoped(403),
    # managers only (another family, so the matrix's family stays closed to them)
    ("families.BreakGlassResource", "POST"): {**_all(403), "same_agency": 201},
    # the family's lead and managers in its core group (member is a practitioner)
    ("families.FamilyResource", "PATCH"): _family_scoped(403),
    ("families.CloseResource", "POST"): _family_scoped(403),
    ("families.ReopenResource", "POST"): _family_scoped(403),
    ("families.MemberResource", "DELETE"): _family_scoped(403),
    ("families.LeadResource", "PUT"): _family_scoped(403),
    # finding people to add to a core group: lead social workers and managers
    ("families.PeopleResource", "GET"): {**_all(403), "same_agency": 200, "other_agency": 200},
    ("visits.MissingAgenciesResource", "GET"): _family_scoped(200),
    ("rubric.RubricResource", "GET"): _all(200),
    ("rubric.RubricResource", "POST"): _admin_only(200),  # same content: no new version
    ("rubric.RubricVersionsResource", "GET"): _admin_only(200),
    ("rubric.RubricVersionsResource", "POST"): _admin_only(200),  # the file in use: no new one
    ("rubric.RubricVersionResource", "GET"): _all(200),  # visits are shown in their words
    ("rubric.AgreementResource", "GET"): _family_scoped(200),
    ("rubric.AgreementResource", "PUT"): _family_scoped(403),
    ("visits.VisitsResource", "POST"): _family_scoped(201),
    ("visits.VisitResource", "GET"): _family_scoped(200),
    ("visits.AmendmentsResource", "POST"): _family_scoped(201),
    ("visits.EventsResource", "POST"): _family_scoped(201),
    ("visits.TimelineResource", "GET"): _family_scoped(200),
    ("visits.OfflineKitResource", "GET"): _all(200),  # each gets their own families only
    ("visits.AppSettingsResource", "GET"): _all(200),  # the scale, limits and time zone
    ("visits.DiscardsResource", "POST"): _all(201),  # each logs their own phone's discard
    ("engine.FlagsResource", "GET"): _family_scoped(200),
    ("engine.AcknowledgeResource", "POST"): _family_scoped(403),  # member is a practitioner
    ("engine.TrendsResource", "GET"): _family_scoped(200),
    ("engine.ConcernsResource", "GET"): _family_scoped(200),
    ("engine.AcknowledgeConcernResource", "POST"): _family_scoped(403),  # a practitioner
    ("engine.CaseloadResource", "GET"): _all(200),  # one's own families only
    ("engine.ParametersResource", "GET"): _admin_only(200),
    ("engine.ParametersResource", "PUT"): _admin_only(200),
    ("engine.ParameterHistoryResource", "GET"): _admin_only(200),
    ("alerts.InboxResource", "GET"): _all(200),
    ("alerts.InboxReadResource", "POST"): _family_scoped(200),  # one's own entries only
    ("photos.PhotosResource", "POST"): _family_scoped(201),  # member wrote the visit
    ("photos.PhotoResource", "GET"): _family_scoped(200),
    ("photos.FamilyPhotosResource", "GET"): _family_scoped(200),
    ("exports.SummaryPdfResource", "GET"): _family_scoped(200),
    ("exports.SummaryCsvResource", "GET"): _family_scoped(200),
    ("exports.VisitsCsvResource", "GET"): _family_scoped(200),
    ("exports.AgreementPdfResource", "GET"): _family_scoped(409),  # no agreement recorded here
    ("audit.AccountLogResource", "GET"): _admin_only(200),
    ("retention.LegalHoldResource", "GET"): _family_scoped(200),
    ("retention.LegalHoldResource", "POST"): _family_scoped(403),  # lead or manager only
    ("retention.LiftLegalHoldResource", "POST"): _family_scoped(403),
}
# Sent as multipart/form-data (a file and fields) rather than JSON.
_MULTIPART = {("photos.PhotosResource", "POST")}


def _photo_form() -> dict[str, Any]:
    return {"file": (io.BytesIO(small_jpeg()), "photo.jpg", "image/jpeg"),
            "domain_key": "kitchen", "parent_agreed": "true"}


@dataclass
class World:
    family_id: int
    visit_id: int
    spare_user_id: int
    agency_id: int
    clients: dict[str, ApiClient]
    flag_id: int = 0
    inbox_entry_id: int = 0
    photo_id: int = 0
    glass_reference: str = ""  # a second family, for break-glass


def _body(endpoint: str, method: str, world: World) -> dict[str, Any] | None:
    now = clock.now()
    bodies: dict[tuple[str, str], Any] = {
        ("accounts.SessionResource", "POST"): {"email": "nobody@test.homelog.test",
                                               "password": "wrong password"},
        ("accounts.UsersResource", "POST"): {
            "email": f"{unique('new')}@test.homelog.test", "name": "New",
            "agency_id": world.agency_id, "role": "practitioner", "profession": "midwife"},
        ("accounts.ConfirmResource", "POST"): {"password": PASSWORD},
        ("accounts.OwnPasswordResource", "POST"): {"current_password": "not it",
                                                   "new_password": "violet kettle stairs"},
        ("accounts.PasswordResetResource", "POST"): {"email": "nobody@test.homelog.test"},
        ("accounts.SetPasswordResource", "POST"): {"token": "no-such-link",
                                                   "password": "violet kettle stairs"},
        ("accounts.SecondFactorConfirmResource", "POST"): {"code": "not-a-code"},
        ("accounts.UserResource", "PATCH"): {"active": False},
        ("accounts.AgenciesResource", "POST"): {"name": unique("Agency"), "kind": "health"},
        ("accounts.AgencyResource", "PATCH"): {"kind": "health"},  # as it is: no change
        ("families.FamiliesResource", "POST"): {
            "reference": unique("REF"), "children": [{"initials": "CD",
                                                       "date_of_birth": "2025-01-01"}],
            "plan": {"category": "neglect", "started_on": "2026-01-01"},
            "opened_on": "2026-01-01"},
        ("families.MembersResource", "POST"): {"user_id": world.spare_user_id},
        ("families.FamilyResource", "PATCH"): {"address": "5 Changed Road"},
        ("families.CloseResource", "POST"): {"reason": "Plan ended at the review."},
        ("families.ReopenResource", "POST"): {"reason": "A new referral."},
        ("families.LeadResource", "PUT"): {"user_id": world.spare_user_id},
        ("families.BreakGlassResource", "POST"): {
            "reference": world.glass_reference,
            "reason": "Covering for the lead social worker, who is away."},
        ("rubric.AgreementResource", "PUT"): {"agreed_on": now.date().isoformat(),
                                              "levels": {}},
        ("visits.VisitsResource", "POST"): visit_body(),
        ("visits.AmendmentsResource", "POST"): {"reason": "Typo",
                                                "notes": f"Corrected {uuid.uuid4()}"},
        ("visits.EventsResource", "POST"): {"occurred_at": now.isoformat(),
                                            "kind": "gp_information", "summary": "Letter"},
        ("engine.AcknowledgeResource", "POST"): {"response": "Discussed with the family."},
        ("engine.AcknowledgeConcernResource", "POST"): {
            "flag_ids": [world.flag_id], "response": "Discussed with the family."},
        ("engine.ParametersResource", "PUT"): {"swing_window_days": 7},  # the default
        ("retention.LegalHoldResource", "POST"): {"reason": "Care proceedings under way."},
        ("retention.LiftLegalHoldResource", "POST"): {"reason": "Care proceedings ended."},
        ("photos.PhotosResource", "POST"): _photo_form(),
        ("visits.DiscardsResource", "POST"): {
            "kind": "visit", "idempotency_key": str(uuid.uuid4()), "family_id": world.family_id,
            "queued_at": now.isoformat(), "reason": "Could not be sent."},
    }
    if (endpoint, method) == ("rubric.RubricResource", "POST"):
        current = world.clients["administrator"].get("/api/v1/rubric").json
        return {key: value for key, value in current.items() if key != "version"}
    if (endpoint, method) == ("rubric.RubricVersionsResource", "POST"):
        current = world.clients["administrator"].get("/api/v1/rubric").json
        return {"text": json.dumps({key: value for key, value in current.items()
                                    if key != "version"})}
    return bodies.get((endpoint, method))


def _url(rule: Any, world: World) -> str:
    values = {"family_id": world.family_id, "visit_id": world.visit_id,
              "user_id": world.spare_user_id, "flag_id": world.flag_id,
              "entry_id": world.inbox_entry_id, "photo_id": world.photo_id,
              "agency_id": world.agency_id, "version": 1}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _routes(app: Any) -> list[tuple[Any, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - _SKIPPED_METHODS):
            routes.append((rule, method))
    # Sign-out last, or it would end the session the other checks use.
    return sorted(routes, key=lambda pair: pair[0].endpoint == "accounts.SessionResource"
                  and pair[1] == "DELETE")


@pytest.fixture
def world(app, factory, make_client) -> World:
    member = factory.user(Role.PRACTITIONER, Profession.HEALTH_VISITOR)
    # same_agency is a manager and other_agency a lead social worker: the roles most likely
    # to be tempted to look at a family outside their core group.
    same_agency = factory.user(Role.MANAGER, Profession.TEAM_MANAGER, agency_id=member.agency_id)
    other_agency = factory.lead()
    administrator = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    spare = factory.user()
    family = factory.family(members=(member,))
    users = {"member": member, "same_agency": same_agency, "other_agency": other_agency,
             "administrator": administrator}
    clients = {"anonymous": make_client()}
    for persona, user in users.items():
        clients[persona] = make_client()
        assert clients[persona].sign_in(user.email).status_code == 201
    visit_id = factory.visit(family.id, member.id)
    factory.visit(family.id, member.id, concerns=["no_food"],
                  notes="No food in the home.")  # raises a flag as it is recorded
    flag_id = clients["member"].get(f"/api/v1/families/{family.id}/flags").json[0]["id"]
    entry_id = clients["member"].get("/api/v1/inbox").json[0]["id"]
    photo_id = photo(clients["member"], visit_id, small_jpeg())
    return World(family.id, visit_id, spare.id, member.agency_id, clients,
                 flag_id, entry_id, photo_id, factory.family().reference)


def test_every_route_is_in_the_matrix(app):
    missing = {(rule.endpoint, method) for rule, method in _routes(app)
               if rule.rule.startswith("/api/")} - set(EXPECTED)
    assert not missing, f"routes with no access expectations: {sorted(missing)}"


def test_access_matrix(app, world):
    failures = []
    for rule, method in _routes(app):
        if not rule.rule.startswith("/api/"):
            continue
        for persona in PERSONAS:
            client = world.clients[persona]
            headers = {"Idempotency-Key": str(uuid.uuid4())}
            body = _body(rule.endpoint, method, world)
            payload = ({"data": body, "content_type": "multipart/form-data"}
                       if (rule.endpoint, method) in _MULTIPART else {"json": body})
            response = client.http.open(
                _url(rule, world), method=method, **payload,
                headers={**client._headers(None), **headers},
            )
            expected = EXPECTED[(rule.endpoint, method)][persona]
            if response.status_code != expected:
                failures.append(f"{method} {rule.rule} as {persona}: "
                                f"{response.status_code} (expected {expected}) {response.json}")
            if persona == "member" and method == "POST" and rule.endpoint.endswith(
                    "AmendmentsResource") and response.status_code == 201:
                world.visit_id = response.json["id"]  # amend the latest version next time
    assert not failures, "\n".join(failures)


def test_unknown_ids_are_404_even_for_members(world):
    member = world.clients["member"]
    for url in ("/api/v1/families/999999999", "/api/v1/families/999999999/timeline",
                "/api/v1/visits/999999999"):
        assert member.get(url).status_code == 404


def test_break_glass_opens_a_family_to_a_manager_and_no_one_else(world, factory):
    """Under break-glass the manager reads what the core group reads; the others still get
    404 for the family and 403 (before any look-up) for break-glass itself."""
    manager = world.clients["same_agency"]
    family_id = world.family_id
    assert manager.get(f"/api/v1/families/{family_id}").status_code == 404
    reads = [f"/api/v1/families/{family_id}{path}" for path in (
        "", "/members", "/timeline", "/flags", "/concerns", "/trends", "/agreement",
        "/photos", "/who-viewed", "/access-log")]
    body = {"reference": _reference(world), "reason": "Covering for an absent colleague."}
    for persona in ("member", "other_agency", "administrator"):
        refused = world.clients[persona].post("/api/v1/families/break-glass", json=body)
        assert refused.status_code == 403, persona
    assert manager.post("/api/v1/families/break-glass", json=body).status_code == 201
    for url in reads:
        assert manager.get(url).status_code == 200, url
    for persona in ("other_agency", "administrator"):
        assert world.clients[persona].get(reads[0]).status_code == 404


def _reference(world: World) -> str:
    return world.clients["member"].get(f"/api/v1/families/{world.family_id}").json["reference"]
