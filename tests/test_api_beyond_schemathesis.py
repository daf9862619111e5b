"""What tests/test_schemathesis.py cannot ask of /api/v1/openapi.json, checked by hand.

schemathesis fuzzes every operation the document lists, with what the document allows and
what it does not; these are the cases it cannot express:

- the document against the URL map: every API route is documented and every documented
  operation is served (schemathesis only sees what the document lists);
- the document as OpenAPI 3.0.3, with every object closed (schemathesis reads an object
  left open as "any other field is fine", so a closed one is what makes it report a field
  the document does not mention);
- sign-in and the CSRF token declared wherever the server demands them, found by asking
  the server signed out (schemathesis takes the document's word for it);
- every state change refused without the right X-CSRF-Token (403, in the documented error
  shape): the fuzzing always sends the token;
- hostile bodies that are not JSON values a schema could describe (nesting 100,000 deep, an
  integer of 5,000 digits, bytes that are not UTF-8, a JSON body labelled text/plain, more
  than the server accepts) and fixed values that once failed (NUL, half a surrogate pair,
  instants past year 9999 or before year 1 in UTC or in London, ids past 64 bits),
  replayed every run rather than left to chance: never a 5xx, always the documented error.

Behaviour the old hand-written flows checked that needs a particular state (replays with an
Idempotency-Key, a reference in use, amending twice, a recent sign-in for exports, photos
that are not photos) is tested with each feature (tests/visits, tests/families,
tests/exports, tests/photos), and the rubric sent again unchanged by the access matrix;
the fuzzing checks each such answer against the document as it meets it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
import schemathesis
from flask import Flask
from openapi_spec_validator import validate as validate_spec
from werkzeug.test import TestResponse

from tests.factories import DOMAINS, Factory, visit_body
from tests.support.api_client import ApiClient

SPEC_URL = "/api/v1/openapi.json"
METHODS = {"get", "put", "post", "delete", "patch"}
_FLASK_VARIABLE = re.compile(r"<(?:[a-z]+:)?(\w+)>")


@pytest.fixture
def spec(client: ApiClient) -> dict[str, Any]:
    response = client.get(SPEC_URL)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


_SCHEMAS: dict[int, Any] = {}


def conforms(app: Flask, method: str, path: str, response: TestResponse) -> None:
    """The response is one the document describes for the operation `path` reaches."""
    if id(app) not in _SCHEMAS:
        _SCHEMAS[id(app)] = schemathesis.openapi.from_wsgi(SPEC_URL, app)
    operation = _SCHEMAS[id(app)].find_operation_by_path(method, path)
    assert operation is not None, f"{method} {path} reaches no documented operation"
    operation.validate_response(response)  # raises, naming the mismatch


# --- the document ----------------------------------------------------------------------------

def _open_objects(node: Any, where: str = "") -> list[str]:
    """Where an object schema lists properties but lets others through."""
    found = []
    if isinstance(node, dict):
        if "properties" in node and node.get("additionalProperties") is not False:
            found.append(where)
        for key, value in node.items():
            found.extend(_open_objects(value, f"{where}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_open_objects(value, f"{where}/{index}"))
    return found


def _patterns(node: Any) -> set[str]:
    """Every pattern in the document."""
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.add(value)
            else:
                found |= _patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= _patterns(value)
    return found


def test_the_document_is_valid_openapi_3_with_every_object_closed(spec: dict[str, Any]) -> None:
    assert spec.get("openapi") == "3.0.3", spec.get("openapi")
    # \Z is no anchor in ECMA 262, the dialect OpenAPI reads patterns in (WholeMatch in
    # homelog/core/schemas.py writes the same check as ^(...)$).
    assert not [pattern for pattern in _patterns(spec) if pattern.endswith("\\Z")]
    validate_spec(spec)
    assert _open_objects(spec) == []


def test_every_api_route_is_documented_and_every_documented_operation_exists(
    app: Flask, spec: dict[str, Any]
) -> None:
    served: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        path = _FLASK_VARIABLE.sub(r"{\1}", rule.rule)
        served |= {(method.lower(), path) for method in rule.methods or ()
                   if method.lower() in METHODS}
    documented = {(method, path) for path, item in spec["paths"].items()
                  for method in item if method in METHODS}
    assert not served - documented, f"served but not documented: {sorted(served - documented)}"
    assert not documented - served, f"documented but not served: {sorted(documented - served)}"


def test_sign_in_and_csrf_are_documented_where_the_server_requires_them(
    app: Flask, spec: dict[str, Any]
) -> None:
    """Each operation that answers 401 to a caller without a session declares the session
    cookie; each state-changing one also declares X-CSRF-Token."""
    schemes = spec["components"]["securitySchemes"]
    cookie = {name for name, scheme in schemes.items() if scheme.get("in") == "cookie"}
    csrf = {name for name, scheme in schemes.items()
            if scheme.get("in") == "header" and scheme.get("name") == "X-CSRF-Token"}
    anonymous = app.test_client()
    no_cookie, no_csrf = [], []
    for path, item in spec["paths"].items():
        url = re.sub(r"\{\w+\}", "1", path)
        for method, operation in item.items():
            if method not in METHODS:
                continue
            if anonymous.open(url, method=method.upper(), json={}).status_code != 401:
                continue
            named = {name for requirement in operation.get("security", spec.get("security", []))
                     for name in requirement}
            if not named & cookie:
                no_cookie.append(f"{method.upper()} {path}")
            if method != "get" and not named & csrf:
                no_csrf.append(f"{method.upper()} {path}")
    assert (no_cookie, no_csrf) == ([], []), (
        f"answer 401 signed out but declare no session cookie: {no_cookie}; "
        f"require X-CSRF-Token but do not declare it: {no_csrf}")


# --- CSRF ------------------------------------------------------------------------------------

def test_every_state_change_needs_the_csrf_token(app: Flask, factory: Factory,
                                                 make_client: Any, spec: dict[str, Any]
                                                 ) -> None:
    """Derived from the document, so a new operation is covered: without the token, or with
    a wrong one, a signed-in caller is refused before anything happens."""
    member = factory.user()
    family = factory.family(members=(member,))
    client: ApiClient = make_client()
    assert client.sign_in(member.email).status_code == 201
    changes = [(method, path) for path, item in spec["paths"].items()
               for method, operation in item.items()
               if method in METHODS - {"get"}
               and any("csrf" in requirement for requirement in operation.get("security", []))]
    assert len(changes) >= 20, changes  # the document still says which need it
    failures = []
    for method, path in changes:
        url = re.sub(r"\{\w+\}", str(family.id), path)
        for token in (None, "wrong"):
            headers = {"X-CSRF-Token": token} if token else {}
            response = client.http.open(url, method=method.upper(), json={}, headers={
                **headers, "Idempotency-Key": str(uuid.uuid4())})
            code = (response.json or {}).get("error", {}).get("code")
            if (response.status_code, code) != (403, "csrf_failed"):
                failures.append(f"{method.upper()} {path} with token {token!r}: "
                                f"{response.status_code} {code}")
            else:
                conforms(app, method, url, response)
    assert not failures, "\n".join(failures)
    assert client.get("/api/v1/session").status_code == 200  # still signed in


# --- hostile input, replayed -----------------------------------------------------------------

@dataclass(frozen=True)
class Hostile:
    name: str
    who: str  # practitioner (writes visits), lead (runs the family) or anonymous
    method: str
    path: str  # {family}, {visit} are filled in
    body: Any = None  # a JSON value, bytes sent as they are, or a callable making the JSON
    status: int = 422
    field: str | None = None  # a 422 names it
    content_type: str = "application/json"


def _visit(**change: Any) -> Callable[[], dict[str, Any]]:
    """The factory's valid visit body with `change`, made when the test runs (the body's
    time is read from the test's clock, not the one at import)."""
    return partial(visit_body, **change)


def _event(**change: Any) -> dict[str, Any]:
    return {"occurred_at": "2024-01-01T10:00:00Z", "kind": "other", "summary": "x", **change}


def _family(**change: Any) -> dict[str, Any]:
    return {"reference": f"H-{uuid.uuid4().hex[:10]}", "opened_on": "2024-01-01",
            "children": [{"initials": "AB", "date_of_birth": "2020-01-01"}],
            "plan": {"category": "neglect", "started_on": "2024-01-01"}, **change}


VISITS, EVENTS = "/api/v1/families/{family}/visits", "/api/v1/families/{family}/events"
HOSTILE = [
    Hostile("visit notes with NUL", "practitioner", "POST", VISITS, _visit(notes="a\x00b"), 400),
    Hostile("a search with NUL in the query string", "lead", "GET",
            "/api/v1/families/people?search=a%00b", None, 400),
    Hostile("visit notes with half a surrogate pair", "practitioner", "POST", VISITS,
            _visit(notes="\ud800"), 400),
    Hostile("visit at 9999-12-31T23:59:59-01:00 (past year 9999 in UTC)", "practitioner",
            "POST", VISITS, _visit(visited_at="9999-12-31T23:59:59-01:00"), field="visited_at"),
    Hostile("visit at 0001-01-01T00:00:00+01:00 (before year 1 in UTC)", "practitioner",
            "POST", VISITS, _visit(visited_at="0001-01-01T00:00:00+01:00"), field="visited_at"),
    Hostile("visit at 0001-01-01T00:00:01Z (before year 1 in London)", "practitioner", "POST",
            VISITS, _visit(visited_at="0001-01-01T00:00:01Z"), field="visited_at"),
    Hostile("event at 0001-01-01T00:00:00Z (before year 1 in London)", "practitioner", "POST",
            EVENTS, _event(occurred_at="0001-01-01T00:00:00Z"), field="occurred_at"),
    Hostile("visit with an offset over 24 hours", "practitioner", "POST", VISITS,
            _visit(visited_at="2024-01-01T10:00:00+25:00"), field="visited_at"),
    Hostile("visit with rubric_version 2**70", "practitioner", "POST", VISITS,
            _visit(rubric_version=2**70), field="rubric_version"),
    Hostile("event summary with NUL", "practitioner", "POST", EVENTS, _event(summary="a\x00b"),
            400),
    Hostile("event at 9999-12-31T23:59:59-01:00", "practitioner", "POST", EVENTS,
            _event(occurred_at="9999-12-31T23:59:59-01:00"), field="occurred_at"),
    Hostile("amendment reason with NUL", "practitioner", "POST",
            "/api/v1/visits/{visit}/amendments", {"reason": "Typo \x00", "notes": "x"}, 400),
    Hostile("family address with NUL", "lead", "POST", "/api/v1/families",
            _family(address="1 Road\x00"), 400),
    Hostile("family reference ending in a newline", "lead", "POST", "/api/v1/families",
            _family(reference="NEWLINE\n"), field="reference"),
    Hostile("child initials ending in a newline", "lead", "POST", "/api/v1/families",
            _family(children=[{"initials": "AB\n", "date_of_birth": "2020-01-01"}]),
            field="children"),
    Hostile("core group user_id 2**70", "lead", "POST", "/api/v1/families/{family}/members",
            {"user_id": 2**70}, field="user_id"),
    Hostile("core group user_id 2**31", "lead", "POST", "/api/v1/families/{family}/members",
            {"user_id": 2**31}, field="user_id"),
    Hostile("agreement note with NUL", "lead", "PUT", "/api/v1/families/{family}/agreement",
            {"agreed_on": "2024-01-01", "levels": dict.fromkeys(DOMAINS, 2), "note": "\x00"},
            400),
    Hostile("sign-in email with NUL", "anonymous", "POST", "/api/v1/session",
            {"email": "a\x00@b.test", "password": "x"}, 400),
    Hostile("sign-in email with half a surrogate pair", "anonymous", "POST", "/api/v1/session",
            {"email": "\udc00@b.test", "password": "x"}, 400),
    Hostile("JSON nested 100,000 deep", "practitioner", "POST", EVENTS,
            b"[" * 100_000 + b"]" * 100_000, 400),
    Hostile("an integer of 5,000 digits", "lead", "POST", "/api/v1/families/{family}/members",
            b'{"user_id": ' + b"9" * 5000 + b"}", 400),
    Hostile("bytes that are not UTF-8", "practitioner", "POST", EVENTS,
            b'{"summary": "\xff\xfe"}', 400),
    Hostile("a JSON body labelled text/plain", "practitioner", "POST", EVENTS, b'{"kind": 1}',
            422, content_type="text/plain"),
    Hostile("more than the server accepts", "lead", "POST", "/api/v1/families",
            b" " * (25 * 1024 * 1024 + 1), 413),
    Hostile("family id 2**70 in the path", "lead", "GET", f"/api/v1/families/{2**70}",
            status=404),
    Hostile("family id 2**31 in the path", "lead", "GET", f"/api/v1/families/{2**31}",
            status=404),
    Hostile("visit id 2**70 in the path", "practitioner", "GET", f"/api/v1/visits/{2**70}",
            status=404),
]


@dataclass
class World:
    clients: dict[str, ApiClient]
    family_id: int
    visit_id: int


@pytest.fixture
def world(app: Flask, factory: Factory) -> World:
    """A family with a visit, its lead and the visit's author signed in."""
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    clients = {"anonymous": ApiClient(app, address="198.51.100.7"),
               "lead": factory.signed_in(family.lead),
               "practitioner": factory.signed_in(practitioner)}
    visit_id = factory.visit(family.id, practitioner.id)
    return World(clients, family.id, visit_id)


@pytest.mark.parametrize("case", HOSTILE, ids=[case.name for case in HOSTILE])
def test_hostile_input_gets_the_documented_refusal(app: Flask, world: World, case: Hostile
                                                   ) -> None:
    url = case.path.format(family=world.family_id, visit=world.visit_id)
    client = world.clients[case.who]
    body = case.body() if callable(case.body) else case.body
    data = body if isinstance(body, bytes) else (
        None if body is None else json.dumps(body).encode())  # \ud800 escaped
    response = client.http.open(url, method=case.method, data=data,
                                content_type=case.content_type, headers={
                                    **client._headers(None),
                                    "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == case.status, response.get_data(as_text=True)[:500]
    error = response.json["error"]
    assert error["code"].strip() and error["message"].strip()
    if case.field:
        assert case.field in {name.split(".")[0] for name in error["fields"]}, error
    conforms(app, case.method, url, response)
