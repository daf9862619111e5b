"""The OpenAPI document at /api/v1/openapi.json describes what the server really does.

The document is first checked as OpenAPI 3.0, then realistic flows (sign-in, families, core
group, agreement, visits with replays and amendments, events, timeline, rubric, directory,
administration and the usual refusals) run through the real app, and every request/response
pair is checked against the document with openapi-core:

- a 5xx is always a failure; a 2xx/3xx must be listed explicitly for the operation, a 4xx
  either explicitly or through the operation's `default` response;
- the response body must match the documented schema, where an object that lists its
  `properties` is read as closed (a field the document does not mention is a mismatch);
- a request the server accepted (2xx) must be valid by the document too.

Every mismatch in a flow is collected and reported together, naming method, path, status,
what is wrong and the body, so one run shows all that differs.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import EnvironBuilder, FlaskClient
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate as validate_spec
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart
from werkzeug.wrappers import Request

from homelog.accounts.models import Profession, Role
from tests.factories import DOMAINS, Factory, unique, visit_body
from tests.photos.pictures import phone_jpeg
from tests.support import clock
from tests.support.api_client import PASSWORD, ApiClient

SPEC_URL = "/api/v1/openapi.json"
_FLASK_VARIABLE = re.compile(r"<(?:[a-z]+:)?(\w+)>")


# --- the document ----------------------------------------------------------------------------

def fetch_spec(app: Flask) -> dict[str, Any]:
    response = app.test_client().get(SPEC_URL)
    assert response.status_code == 200, f"GET {SPEC_URL} answered {response.status_code}"
    assert response.mimetype == "application/json", response.mimetype
    return json.loads(response.get_data())


def closed_objects(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of the document where every object schema listing `properties` is closed.

    OpenAPI leaves objects open by default; reading them as closed makes a response field
    that the document does not mention a reported mismatch rather than a silent extra.
    """
    strict = copy.deepcopy(spec)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(strict.get("components", {}))
    walk(strict.get("paths", {}))
    return strict


def describe_error(error: BaseException) -> str:
    """openapi-core's exception chain, down to each schema error with where it is."""
    lines: list[str] = []
    current: BaseException | None = error
    while current is not None and len(lines) < 20:
        schema_errors = list(getattr(current, "schema_errors", None) or ())
        if not schema_errors:
            text = str(current)
            text = text if len(text) <= 300 else text[:300] + "..."
            name = type(current).__name__
            lines.append(text if text.startswith(name) else f"{name}: {text}")
        for schema_error in schema_errors:
            where = getattr(schema_error, "json_path", "$")
            lines.append(f"at {where}: {getattr(schema_error, 'message', schema_error)}")
        current = current.__cause__
    return "\n  ".join(lines)


@dataclass
class Exchange:
    method: str
    path: str
    environ: dict[str, Any]
    body: bytes
    response: TestResponse

    def request(self) -> Request:
        """The request as the app received it (the body re-readable)."""
        environ = dict(self.environ)
        environ["wsgi.input"] = io.BytesIO(self.body)
        environ["CONTENT_LENGTH"] = str(len(self.body))
        return Request(environ)

    def label(self) -> str:
        query = self.environ.get("QUERY_STRING")
        return f"{self.method} {self.path}{'?' + query if query else ''} -> " \
               f"{self.response.status_code}"


class SpecChecker:
    """Checks exchanges against the document; returns a list of readable problems."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.strict = closed_objects(spec)
        self.openapi = OpenAPI.from_dict(self.strict)
        self.templates = [
            (re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)) + "$"), path)
            for path in spec.get("paths", {})
        ]

    def template_for(self, path: str) -> str | None:
        matches = [template for pattern, template in self.templates if pattern.match(path)]
        # A literal segment beats a {parameter}: prefer the template with fewest parameters.
        return min(matches, key=lambda t: t.count("{"), default=None)

    def operation(self, method: str, path: str) -> tuple[str | None, dict[str, Any] | None]:
        template = self.template_for(path)
        if template is None:
            return None, None
        return template, self.spec["paths"][template].get(method.lower())

    def check(self, exchange: Exchange, *, check_request: bool | None = None) -> list[str]:
        status = exchange.response.status_code
        body_text = exchange.response.get_data().decode(errors="replace")  # photos are binary
        problems: list[str] = []
        if status >= 500:
            problems.append(f"server error {status}")
        template, operation = self.operation(exchange.method, exchange.path)
        if template is None:
            problems.append("path not in the document")
        elif operation is None:
            problems.append(f"{exchange.method} not documented for {template}")
        else:
            problems.extend(self._check_response(exchange, operation, status, body_text))
            if check_request if check_request is not None else 200 <= status < 300:
                try:
                    self.openapi.validate_request(WerkzeugOpenAPIRequest(exchange.request()))
                except Exception as error:  # every openapi-core finding is a mismatch
                    problems.append("request accepted by the server but invalid by the "
                                    "document:\n  " + describe_error(error))
        return [f"{exchange.label()}: {problem}\n  response body: {body_text[:600]}"
                for problem in problems]

    def accepts_request(self, exchange: Exchange) -> bool:
        try:
            self.openapi.validate_request(WerkzeugOpenAPIRequest(exchange.request()))
        except Exception:  # any finding: the document refuses it too
            return False
        return True

    def _check_response(self, exchange: Exchange, operation: dict[str, Any], status: int,
                        body_text: str) -> list[str]:
        responses = operation.get("responses", {})
        documented = responses.get(str(status))
        if documented is None and 400 <= status < 500:
            documented = responses.get("default")
        if documented is None:
            return [f"status {status} not documented (documented: {sorted(responses)})"]
        documented = self._resolve(documented)
        if not documented.get("content") and body_text:
            return [f"status {status} documented without a body, but one was sent"]
        try:
            self.openapi.validate_response(
                WerkzeugOpenAPIRequest(exchange.request()),
                WerkzeugOpenAPIResponse(exchange.response),
            )
        except Exception as error:  # every openapi-core finding is a mismatch
            return ["response does not match the document:\n  " + describe_error(error)]
        return []

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def request_body_schema(self, method: str, template: str) -> dict[str, Any] | None:
        operation = self.strict["paths"][template][method.lower()]
        content = operation.get("requestBody", {}).get("content", {})
        return content.get("application/json", {}).get("schema")


class RecordingClient(FlaskClient):
    """A Flask test client that keeps every request (with its body) and response."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exchanges: list[Exchange] = []

    def open(self, *args: Any, buffered: bool = False, follow_redirects: bool = False,
             **kwargs: Any) -> TestResponse:
        if args and not isinstance(args[0], str):
            return super().open(*args, buffered=buffered, follow_redirects=follow_redirects,
                                **kwargs)
        builder = EnvironBuilder(self.application, *args, **kwargs)
        stream = builder.input_stream
        body = stream.getvalue() if isinstance(stream, io.BytesIO) else b""
        try:
            response = super().open(builder, buffered=buffered, follow_redirects=False)
        finally:
            builder.close()
        environ = response.request.environ
        self.exchanges.append(Exchange(environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                       environ, body, response))
        return response


def recording(client: ApiClient) -> ApiClient:
    client.http = RecordingClient(client.app, client.app.response_class, use_cookies=True)
    return client


# --- fixtures --------------------------------------------------------------------------------

_CHECKERS: dict[int, SpecChecker] = {}


@pytest.fixture
def spec(app: Flask) -> dict[str, Any]:
    return fetch_spec(app)


@pytest.fixture
def checker(app: Flask) -> SpecChecker:
    if id(app) not in _CHECKERS:
        _CHECKERS[id(app)] = SpecChecker(fetch_spec(app))
    return _CHECKERS[id(app)]


@dataclass
class Flow:
    """Runs calls through recording clients, checking statuses and the document as it goes."""

    checker: SpecChecker
    failures: list[str] = field(default_factory=list)
    checked: int = 0
    reported: bool = False

    def call(self, client: ApiClient, method: str, url: str, expect: int,
             doc_rejects: bool = False, **kwargs: Any) -> TestResponse:
        """Make a call; `doc_rejects`: the request is malformed, so the document must say so."""
        http = client.http
        assert isinstance(http, RecordingClient), "use recording(client)"
        before = len(http.exchanges)
        response = getattr(client, method.lower())(url, **kwargs)
        for exchange in http.exchanges[before:]:
            self.checked += 1
            self.failures.extend(self.checker.check(exchange))
            if doc_rejects and self.checker.accepts_request(exchange):
                self.failures.append(
                    f"{exchange.label()}: the server refuses this request, but the document "
                    f"describes it as valid (headers {dict(kwargs.get('headers') or {})}, "
                    f"query {kwargs.get('query_string')}, body "
                    f"{exchange.body[:300].decode(errors='replace')})"
                )
        if response.status_code != expect:
            self.failures.append(
                f"{method} {url}: expected {expect}, got {response.status_code}\n"
                f"  response body: {response.get_data(as_text=True)[:600]}"
            )
        return response

    def check_recorded(self, client: ApiClient, since: int) -> None:
        http = client.http
        assert isinstance(http, RecordingClient)
        for exchange in http.exchanges[since:]:
            self.checked += 1
            self.failures.extend(self.checker.check(exchange))

    def report(self) -> None:
        self.reported = True
        if self.failures:
            pytest.fail(
                f"{len(self.failures)} mismatch(es) between the server and "
                f"{SPEC_URL} in {self.checked} exchanges:\n\n" + "\n\n".join(self.failures),
                pytrace=False,
            )


@pytest.fixture
def flow(checker: SpecChecker) -> Iterator[Flow]:
    flow = Flow(checker)
    yield flow
    if not flow.reported:  # a step raised: still show every mismatch found before it
        flow.report()


def signed_in(app: Flask, flow: Flow, email: str) -> ApiClient:
    client = recording(ApiClient(app))
    http = client.http
    assert isinstance(http, RecordingClient)
    response = client.sign_in(email)
    flow.check_recorded(client, 0)
    assert response.status_code == 201, response.get_data(as_text=True)
    return client


def family_body(**overrides: Any) -> dict[str, Any]:
    today = clock.today()
    body = {
        "reference": unique("OAS"),
        "address": "2 Spec Road",
        "children": [{"initials": "CD", "date_of_birth": (today - dt.timedelta(days=400))
                      .isoformat()}],
        "plan": {"category": "neglect",
                 "started_on": (today - dt.timedelta(days=90)).isoformat()},
        "opened_on": (today - dt.timedelta(days=90)).isoformat(),
    }
    body.update(overrides)
    return body


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


# --- tests -----------------------------------------------------------------------------------

def test_the_document_is_valid_openapi_3(spec: dict[str, Any]) -> None:
    assert spec.get("openapi") == "3.0.3", spec.get("openapi")
    validate_spec(spec)
    validate_spec(closed_objects(spec))  # what the flows check against is valid too


def test_every_api_route_is_documented_and_every_documented_operation_exists(
    app: Flask, spec: dict[str, Any]
) -> None:
    served: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == SPEC_URL:
            continue
        if rule.endpoint.startswith("api-docs."):
            continue
        path = _FLASK_VARIABLE.sub(r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in {"HEAD", "OPTIONS"}:
                served.add((method.lower(), path))
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }
    assert not served - documented, f"served but not documented: {sorted(served - documented)}"
    assert not documented - served, f"documented but not served: {sorted(documented - served)}"


def test_sign_in_and_csrf_are_documented_where_the_server_requires_them(
    app: Flask, spec: dict[str, Any]
) -> None:
    """Each operation that answers 401 to a caller without a session declares a security
    requirement (the session cookie); each state-changing one also declares X-CSRF-Token."""
    schemes = spec.get("components", {}).get("securitySchemes", {})
    cookie_schemes = {name for name, scheme in schemes.items()
                      if scheme.get("type") == "apiKey" and scheme.get("in") == "cookie"}
    csrf_schemes = {name for name, scheme in schemes.items()
                    if scheme.get("type") == "apiKey" and scheme.get("in") == "header"
                    and scheme.get("name", "").lower() == "x-csrf-token"}
    anonymous = app.test_client()
    no_cookie, no_csrf = [], []
    for path, item in spec["paths"].items():
        url = re.sub(r"\{\w+\}", "1", path)
        for method, operation in item.items():
            if method not in {"get", "put", "post", "delete", "patch"}:
                continue
            if anonymous.open(url, method=method.upper(), json={}).status_code != 401:
                continue
            requirements = operation.get("security", spec.get("security", []))
            named = {name for requirement in requirements for name in requirement}
            if not named & cookie_schemes:
                no_cookie.append(f"{method.upper()} {path}")
            csrf_parameter = any(
                parameter.get("in") == "header"
                and parameter.get("name", "").lower() == "x-csrf-token"
                for parameter in item.get("parameters", []) + operation.get("parameters", [])
            )
            if method != "get" and not named & csrf_schemes and not csrf_parameter:
                no_csrf.append(f"{method.upper()} {path}")
    assert not no_cookie and not no_csrf, (
        f"securitySchemes: {sorted(schemes) or 'none'}\n"
        f"{len(no_cookie)} operation(s) answer 401 without a session but declare no "
        f"cookie (apiKey, in: cookie) security requirement: {no_cookie}\n"
        f"{len(no_csrf)} state-changing operation(s) require X-CSRF-Token but document it "
        f"neither as a header parameter nor as an apiKey header scheme: {no_csrf}"
    )


def test_the_practitioner_flow_matches_the_document(
    app: Flask, factory: Factory, flow: Flow
) -> None:
    agency = factory.agency("social_care")
    lead_ref = factory.lead(agency)
    practitioner_ref = factory.user()
    lead = signed_in(app, flow, lead_ref.email)

    flow.call(lead, "GET", "/api/v1/health", 200)
    flow.call(lead, "GET", "/api/v1/session", 200)
    flow.call(lead, "GET", "/api/v1/rubric", 200)
    flow.call(lead, "GET", "/api/v1/users", 200, query_string={"q": "Test"})
    flow.call(lead, "GET", "/api/v1/agencies", 200)

    created = flow.call(lead, "POST", "/api/v1/families", 201, json=family_body())
    family_id = created.json["id"]
    flow.call(lead, "GET", "/api/v1/families", 200)
    flow.call(lead, "GET", f"/api/v1/families/{family_id}", 200)
    flow.call(lead, "POST", f"/api/v1/families/{family_id}/members", 201,
              json={"user_id": practitioner_ref.id})
    flow.call(lead, "POST", f"/api/v1/families/{family_id}/members", 200,
              json={"user_id": practitioner_ref.id})
    flow.call(lead, "GET", f"/api/v1/families/{family_id}/members", 200)

    flow.call(lead, "GET", f"/api/v1/families/{family_id}/agreement", 200)
    agreement = {
        "agreed_on": (clock.today() - dt.timedelta(days=10)).isoformat(),
        "levels": dict.fromkeys(DOMAINS, 2) | {"kitchen": 3},
        "note": "Agreed at the core group meeting.",
        "shared_with_parents_on": (clock.today() - dt.timedelta(days=9)).isoformat(),
    }
    flow.call(lead, "PUT", f"/api/v1/families/{family_id}/agreement", 200, json=agreement)
    flow.call(lead, "PUT", f"/api/v1/families/{family_id}/agreement", 200,
              json=agreement | {"shared_with_parents_on": None, "note": ""})
    flow.call(lead, "GET", f"/api/v1/families/{family_id}/agreement", 200)

    practitioner = signed_in(app, flow, practitioner_ref.email)
    visit_key = key()
    body = visit_body(scores=dict.fromkeys(DOMAINS, 2) | {"sleep": None, "floors": 4},
                      notes="Floors sticky; discussed with mother.")
    visit = flow.call(practitioner, "POST", f"/api/v1/families/{family_id}/visits", 201,
                      json=body, headers=visit_key)
    visit_id = visit.json["id"]
    flow.call(practitioner, "POST", f"/api/v1/families/{family_id}/visits", 200,
              json=body, headers=visit_key)
    flow.call(practitioner, "GET", f"/api/v1/visits/{visit_id}", 200)
    amendment = flow.call(practitioner, "POST", f"/api/v1/visits/{visit_id}/amendments", 201,
                          json={"reason": "Wrong room recorded.",
                                "rooms_seen": ["kitchen"], "scores": {"sleep": 2}},
                          headers=key())
    flow.call(practitioner, "GET", f"/api/v1/visits/{visit_id}", 200)  # now superseded
    flow.call(practitioner, "GET", f"/api/v1/visits/{amendment.json['id']}", 200)

    event_key = key()
    event = {"occurred_at": (clock.now() - dt.timedelta(hours=5)).isoformat(),
             "kind": "police_callout", "summary": "Call-out after a neighbour's report.",
             "source": "Police"}
    flow.call(practitioner, "POST", f"/api/v1/families/{family_id}/events", 201,
              json=event, headers=event_key)
    flow.call(practitioner, "POST", f"/api/v1/families/{family_id}/events", 200,
              json=event, headers=event_key)
    flow.call(practitioner, "POST", f"/api/v1/families/{family_id}/events", 201,
              json={k: v for k, v in event.items() if k != "source"})  # key optional

    flow.call(practitioner, "GET", f"/api/v1/families/{family_id}/timeline", 200)
    flow.call(lead, "GET", f"/api/v1/families/{family_id}/timeline", 200,
              query_string={"page": 1, "per_page": 2})
    flow.call(lead, "GET", f"/api/v1/families/{family_id}/access-log", 200)

    flow.call(practitioner, "DELETE", "/api/v1/session", 204)
    flow.call(practitioner, "GET", "/api/v1/session", 401)
    flow.report()


def test_administration_matches_the_document(app: Flask, factory: Factory, flow: Flow) -> None:
    admin_ref = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    admin = signed_in(app, flow, admin_ref.email)

    agency = flow.call(admin, "POST", "/api/v1/agencies", 201,
                       json={"name": unique("Spec Agency"), "kind": "housing"})
    user = flow.call(admin, "POST", "/api/v1/users", 201, json={
        "email": f"{unique('spec')}@test.homelog.test", "name": "Spec User",
        "agency_id": agency.json["id"], "role": "practitioner",
        "profession": "housing_officer", "password": PASSWORD, "manager_id": None,
    })
    flow.call(admin, "PATCH", f"/api/v1/users/{user.json['id']}", 200, json={"active": False})
    flow.call(admin, "PATCH", f"/api/v1/users/{user.json['id']}", 200, json={"active": True})
    flow.call(admin, "PATCH", "/api/v1/users/999999999", 404, json={"active": True})
    flow.call(admin, "POST", "/api/v1/agencies", 409,
              json={"name": agency.json["name"], "kind": "housing"})

    rubric = flow.call(admin, "GET", "/api/v1/rubric", 200).json
    same = {name: value for name, value in rubric.items() if name != "version"}
    flow.call(admin, "POST", "/api/v1/rubric", 200, json=same)  # identical: no new version
    flow.call(admin, "POST", "/api/v1/rubric", 422, doc_rejects=True,
              json=same | {"domains": []})
    flow.report()


def test_refusals_match_the_document(app: Flask, factory: Factory, flow: Flow) -> None:
    lead_ref = factory.lead()
    practitioner_ref = factory.user()
    outsider_ref = factory.user()
    fam = factory.family(lead_ref, (practitioner_ref,))

    anonymous = recording(ApiClient(app))
    flow.call(anonymous, "GET", "/api/v1/session", 401)
    flow.call(anonymous, "GET", "/api/v1/families", 401)
    flow.call(anonymous, "POST", f"/api/v1/families/{fam.id}/visits", 401,
              json=visit_body(), headers=key())
    flow.call(anonymous, "POST", "/api/v1/session", 401,
              json={"email": lead_ref.email, "password": "not the password"})
    flow.call(anonymous, "POST", "/api/v1/session", 422, doc_rejects=True,
              json={"email": lead_ref.email})
    flow.call(anonymous, "POST", "/api/v1/session", 400, doc_rejects=True, data=b"{not json",
              content_type="application/json")

    lead = signed_in(app, flow, lead_ref.email)
    practitioner = signed_in(app, flow, practitioner_ref.email)
    outsider = signed_in(app, flow, outsider_ref.email)

    # 403: wrong role, missing CSRF token, amending someone else's visit
    flow.call(lead, "POST", "/api/v1/agencies", 403, json={"name": unique("Nope")})
    flow.call(lead, "PATCH", f"/api/v1/users/{practitioner_ref.id}", 403, json={"active": False})
    flow.call(practitioner, "POST", "/api/v1/families", 403, json=family_body())
    flow.call(practitioner, "GET", f"/api/v1/families/{fam.id}/access-log", 403)
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/members", 403,
              json={"user_id": outsider_ref.id})
    flow.call(practitioner, "PUT", f"/api/v1/families/{fam.id}/agreement", 403, json={
        "agreed_on": clock.today().isoformat(), "levels": dict.fromkeys(DOMAINS, 2)})
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/events", 403,
              json={"occurred_at": "2024-01-01T10:00:00Z", "kind": "other", "summary": "x"},
              headers={"X-CSRF-Token": "wrong"})
    visit = flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 201,
                      json=visit_body(), headers=key())
    visit_id = visit.json["id"]
    flow.call(lead, "POST", f"/api/v1/visits/{visit_id}/amendments", 403,
              json={"reason": "Not mine to amend.", "notes": "changed"}, headers=key())

    # 404: a family or visit someone may not see, or that does not exist
    flow.call(outsider, "GET", f"/api/v1/families/{fam.id}", 404)
    flow.call(outsider, "GET", f"/api/v1/families/{fam.id}/timeline", 404)
    flow.call(outsider, "GET", f"/api/v1/families/{fam.id}/agreement", 404)
    flow.call(outsider, "GET", f"/api/v1/visits/{visit_id}", 404)
    flow.call(outsider, "POST", f"/api/v1/families/{fam.id}/visits", 404,
              json=visit_body(), headers=key())
    flow.call(lead, "GET", "/api/v1/families/999999999", 404)
    flow.call(lead, "GET", "/api/v1/visits/999999999", 404)

    # 409: a reference in use, a visit amended twice
    flow.call(lead, "POST", "/api/v1/families", 409, json=family_body(reference=fam.reference))
    flow.call(practitioner, "POST", f"/api/v1/visits/{visit_id}/amendments", 201,
              json={"reason": "Typo in notes.", "notes": "Corrected."}, headers=key())
    flow.call(practitioner, "POST", f"/api/v1/visits/{visit_id}/amendments", 409,
              json={"reason": "Another go.", "notes": "Again."}, headers=key())

    # 400: no Idempotency-Key, or not a UUID
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 400, doc_rejects=True,
              json=visit_body())
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 400, doc_rejects=True,
              json=visit_body(), headers={"Idempotency-Key": "not-a-uuid"})

    # 422: invalid bodies and queries, and a reused key with other content
    reused = key()
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 201,
              json=visit_body(notes="first"), headers=reused)
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 422,
              json=visit_body(notes="second"), headers=reused)
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 422, doc_rejects=True,
              json=visit_body(scores={"kitchen": 7}), headers=key())
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 422, doc_rejects=True,
              json=visit_body(unexpected="field"), headers=key())
    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/events", 422, doc_rejects=True,
              json={"occurred_at": "yesterday", "kind": "party", "summary": ""})
    flow.call(lead, "POST", "/api/v1/families", 422, doc_rejects=True,
              json=family_body(children=[{"initials": "Full Name Here", "date_of_birth": "x"}]))
    flow.call(lead, "POST", f"/api/v1/families/{fam.id}/members", 422, json={"user_id": 0})
    flow.call(lead, "PUT", f"/api/v1/families/{fam.id}/agreement", 422,
              json={"agreed_on": clock.today().isoformat(), "levels": {"kitchen": 2}})
    flow.call(lead, "GET", f"/api/v1/families/{fam.id}/timeline", 422, doc_rejects=True,
              query_string={"page": 0})
    flow.call(lead, "GET", "/api/v1/users", 422, doc_rejects=True,
              query_string={"q": "x" * 101})

    # 413: more than the server accepts in one request
    limit = app.config["MAX_CONTENT_LENGTH"]
    flow.call(lead, "POST", "/api/v1/families", 413, data=b" " * (limit + 1),
              content_type="application/json")
    flow.report()


def test_flags_trends_inbox_and_engine_parameters_match_the_document(
    app: Flask, factory: Factory, flow: Flow
) -> None:
    practitioner_ref = factory.user()
    outsider_ref = factory.lead()
    admin_ref = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    fam = factory.family(members=(practitioner_ref,))
    lead = signed_in(app, flow, fam.lead.email)
    practitioner = signed_in(app, flow, practitioner_ref.email)
    outsider = signed_in(app, flow, outsider_ref.email)
    admin = signed_in(app, flow, admin_ref.email)
    anonymous = recording(ApiClient(app))

    flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 201, headers=key(),
              json=visit_body(scores=dict.fromkeys(DOMAINS, 2) | {"kitchen": 5},
                              concerns=["unsafe_sleep"],
                              notes="Baby asleep on the sofa with father; kitchen filthy."))
    flags = flow.call(lead, "GET", f"/api/v1/families/{fam.id}/flags", 200).json
    flag_id = flags[0]["id"]
    flow.call(lead, "GET", f"/api/v1/families/{fam.id}/flags", 200,
              query_string={"state": "open"})
    flow.call(lead, "GET", f"/api/v1/families/{fam.id}/flags", 422, doc_rejects=True,
              query_string={"state": "gone"})
    flow.call(practitioner, "POST", f"/api/v1/flags/{flag_id}/acknowledge", 403,
              json={"response": "Seen."})
    flow.call(lead, "POST", f"/api/v1/flags/{flag_id}/acknowledge", 422, doc_rejects=True,
              json={"response": "Seen.", "extra": 1})
    flow.call(lead, "POST", f"/api/v1/flags/{flag_id}/acknowledge", 200,
              json={"response": "Safe sleep advice given; cot delivered today."})
    flow.call(lead, "POST", f"/api/v1/flags/{flag_id}/acknowledge", 409,
              json={"response": "Again."})
    flow.call(lead, "POST", f"/api/v1/flags/{flag_id}/acknowledge", 200,
              json={"response": "Cot in use at two visits.", "close": True})
    flow.call(lead, "GET", f"/api/v1/families/{fam.id}/trends", 200)
    concerns = flow.call(practitioner, "GET", f"/api/v1/families/{fam.id}/concerns", 200).json
    assert len(concerns["picture"]) >= 2
    flow.call(outsider, "GET", f"/api/v1/families/{fam.id}/concerns", 404)
    flow.call(lead, "POST", f"/api/v1/families/{fam.id}/concerns/acknowledge", 422,
              json={"flag_ids": [flag_id], "response": "Closed already."})
    flow.call(lead, "POST", f"/api/v1/families/{fam.id}/concerns/acknowledge", 422,
              doc_rejects=True, json={"flag_ids": "all", "response": "x"})
    flow.call(practitioner, "GET", "/api/v1/caseload", 200)
    flow.call(outsider, "GET", "/api/v1/caseload", 200)
    flow.call(anonymous, "GET", "/api/v1/caseload", 401)
    flow.call(outsider, "GET", f"/api/v1/families/{fam.id}/flags", 404)
    flow.call(outsider, "GET", f"/api/v1/families/{fam.id}/trends", 404)
    flow.call(outsider, "POST", f"/api/v1/flags/{flag_id}/acknowledge", 404,
              json={"response": "x"})
    flow.call(anonymous, "GET", f"/api/v1/families/{fam.id}/flags", 401)

    inbox = flow.call(practitioner, "GET", "/api/v1/inbox", 200).json
    flow.call(practitioner, "GET", "/api/v1/inbox", 200,
              query_string={"unread": "true", "limit": 10})
    flow.call(practitioner, "GET", "/api/v1/inbox", 422, doc_rejects=True,
              query_string={"limit": 0})
    flow.call(practitioner, "POST", f"/api/v1/inbox/{inbox[0]['id']}/read", 200)
    flow.call(outsider, "POST", f"/api/v1/inbox/{inbox[0]['id']}/read", 404)

    flow.call(admin, "GET", "/api/v1/engine/parameters", 200)
    flow.call(admin, "PUT", "/api/v1/engine/parameters", 200, json={"swing_window_days": 7})
    flow.call(admin, "PUT", "/api/v1/engine/parameters", 422, doc_rejects=True,
              json={"swing_window_days": 0})
    flow.call(admin, "PUT", "/api/v1/engine/parameters", 422, doc_rejects=True,
              json={"no_such_parameter": 1})
    flow.call(admin, "PUT", "/api/v1/engine/parameters", 422,
              json={"trend_min_weeks": 30, "trend_max_weeks": 20})
    flow.call(lead, "GET", "/api/v1/engine/parameters", 403)
    flow.report()


def multipart(fields: dict[str, Any]) -> dict[str, Any]:
    """A multipart/form-data body encoded up front, so the recorded request holds it."""
    values = {name: FileStorage(value[0], value[1], content_type="image/jpeg")
              if isinstance(value, tuple) else value for name, value in fields.items()}
    boundary, data = encode_multipart(values)
    return {"data": data, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_photos_match_the_document(app: Flask, factory: Factory, flow: Flow) -> None:
    practitioner_ref, colleague_ref, outsider_ref = factory.user(), factory.user(), factory.user()
    fam = factory.family(members=(practitioner_ref, colleague_ref))
    practitioner = signed_in(app, flow, practitioner_ref.email)
    colleague = signed_in(app, flow, colleague_ref.email)
    outsider = signed_in(app, flow, outsider_ref.email)
    visit = flow.call(practitioner, "POST", f"/api/v1/families/{fam.id}/visits", 201,
                      json=visit_body(), headers=key())
    url = f"/api/v1/visits/{visit.json['id']}/photos"

    fields = {"domain_key": "kitchen", "room": "kitchen", "caption": "Worktop",
              "parent_agreed": "true"}
    upload_key, jpeg = key(), phone_jpeg(320, 240)
    photo = flow.call(practitioner, "POST", url, 201, headers=upload_key,
                      **multipart(dict(fields, file=(io.BytesIO(jpeg), "kitchen.jpg"))))
    flow.call(practitioner, "POST", url, 200, headers=upload_key,
              **multipart(dict(fields, file=(io.BytesIO(jpeg), "kitchen.jpg"))))
    photo_id = photo.json["id"]
    flow.call(colleague, "GET", f"/api/v1/photos/{photo_id}", 200)
    flow.call(colleague, "GET", f"/api/v1/photos/{photo_id}", 200, query_string={"size": "thumb"})
    flow.call(colleague, "GET", f"/api/v1/families/{fam.id}/photos", 200,
              query_string={"domain": "kitchen"})
    flow.call(colleague, "GET", f"/api/v1/families/{fam.id}/photos", 200,
              query_string={"room": "kitchen", "page": 1, "per_page": 10})
    flow.call(colleague, "GET", f"/api/v1/families/{fam.id}/photos", 200,
              query_string={"visit": visit.json["id"]})

    # refusals: not a photo, not the author, not in the core group, not a field we know
    flow.call(practitioner, "POST", url, 415, headers=key(),
              **multipart(dict(fields, file=(io.BytesIO(b"GIF89a..."), "photo.jpg"))))
    flow.call(practitioner, "POST", url, 422, headers=key(),
              **multipart(dict(fields, file=(io.BytesIO(b"\xff\xd8\xff\x00"), "photo.jpg"))))
    flow.call(colleague, "POST", url, 403, headers=key(),
              **multipart(dict(fields, file=(io.BytesIO(phone_jpeg(64, 48)), "photo.jpg"))))
    flow.call(outsider, "GET", f"/api/v1/photos/{photo_id}", 404)
    flow.call(outsider, "GET", f"/api/v1/families/{fam.id}/photos", 404)
    flow.call(colleague, "GET", f"/api/v1/photos/{photo_id}", 404,
              query_string={"size": "original"})
    flow.call(colleague, "GET", f"/api/v1/photos/{photo_id}", 422, doc_rejects=True,
              query_string={"size": "poster"})
    flow.call(practitioner, "POST", url, 422, doc_rejects=True, headers=key(),
              **multipart(dict(fields, domain_key="Kitchen!",
                               file=(io.BytesIO(phone_jpeg(64, 48)), "photo.jpg"))))
    flow.report()


def test_exports_and_password_confirmation_match_the_document(app: Flask, factory: Factory,
                                                              flow: Flow) -> None:
    practitioner_ref, outsider_ref = factory.user(), factory.user()
    fam = factory.family(members=(practitioner_ref,))
    lead = signed_in(app, flow, fam.lead.email)
    practitioner = signed_in(app, flow, practitioner_ref.email)
    outsider = signed_in(app, flow, outsider_ref.email)
    base = f"/api/v1/families/{fam.id}"
    flow.call(practitioner, "POST", f"{base}/visits", 201, headers=key(),
              json=visit_body(notes='=HYPERLINK("http://example.invalid","x")'))

    flow.call(lead, "GET", f"{base}/agreement.pdf", 409)
    today = clock.today()
    flow.call(lead, "PUT", f"{base}/agreement", 200, json={
        "agreed_on": today.isoformat(), "levels": dict.fromkeys(DOMAINS, 2)})
    flow.call(lead, "GET", f"{base}/agreement.pdf", 200)
    flow.call(outsider, "GET", f"{base}/agreement.pdf", 404)
    period = {"from": (today - dt.timedelta(days=30)).isoformat(), "to": today.isoformat()}
    for what in ("summary.pdf", "summary.csv", "visits.csv"):
        flow.call(lead, "GET", f"{base}/{what}", 200)
        flow.call(practitioner, "GET", f"{base}/{what}", 200, query_string=period)
        flow.call(lead, "GET", f"{base}/{what}", 422, doc_rejects=True,
                  query_string={"from": "not a date"})
        flow.call(lead, "GET", f"{base}/{what}", 422, query_string={
            "from": today.isoformat(), "to": (today - dt.timedelta(days=1)).isoformat()})
        flow.call(outsider, "GET", f"{base}/{what}", 404)

    flow.call(lead, "POST", "/api/v1/session/confirm", 200, json={"password": PASSWORD})
    flow.call(lead, "POST", "/api/v1/session/confirm", 422, json={"password": "not it"})
    flow.call(lead, "POST", "/api/v1/session/confirm", 422, doc_rejects=True, json={})
    app.config["HOMELOG_EXPORT_REAUTH_MINUTES"], minutes = -1, app.config[
        "HOMELOG_EXPORT_REAUTH_MINUTES"]
    try:  # a sign-in is never recent enough now
        flow.call(lead, "GET", f"{base}/summary.csv", 403)
        flow.call(lead, "GET", f"{base}/agreement.pdf", 403)
    finally:
        app.config["HOMELOG_EXPORT_REAUTH_MINUTES"] = minutes
    flow.report()


def test_offline_kit_and_discards_match_the_document(app: Flask, factory: Factory,
                                                     flow: Flow) -> None:
    practitioner_ref = factory.user()
    family = factory.family(members=(practitioner_ref,))
    practitioner = signed_in(app, flow, practitioner_ref.email)
    flow.call(practitioner, "GET", "/api/v1/offline-kit", 200)
    visit_key = key()
    flow.call(practitioner, "POST", f"/api/v1/families/{family.id}/visits", 201,
              json=visit_body(), headers=visit_key)
    discard = {"kind": "visit", "idempotency_key": visit_key["Idempotency-Key"],
               "family_id": family.id, "queued_at": clock.now().isoformat(),
               "reason": "Recorded twice by mistake.", "last_problem": ""}
    flow.call(practitioner, "POST", "/api/v1/outbox/discards", 201, json=discard)
    flow.call(practitioner, "POST", "/api/v1/outbox/discards", 201,
              json={**discard, "kind": "photo", "visit_id": 1, "family_id": None,
                    "idempotency_key": str(uuid.uuid4())})
    flow.call(practitioner, "POST", "/api/v1/outbox/discards", 422, doc_rejects=True,
              json={**discard, "reason": ""})
    flow.report()
