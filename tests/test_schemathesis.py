"""schemathesis against /api/v1/openapi.json, over the WSGI app: every operation, fuzzed.

Each operation in the document is called with cases schemathesis generates from it, both
valid by the document (positive) and not (negative), by three people:

- the member: the lead social worker of a family, in its core group, who recorded its
  visits (one with a concern, so it has a flag and inbox entries), its agreement and a photo;
- the outsider: a lead social worker in another agency, outside that core group;
- the administrator, for the operations only administrators may use (the others
  answer them 403 before reading a byte).

In the valid cases, path parameters and ids in bodies and queries are mostly those of the
family's real records (so the member reaches them and the outsider is refused them), a third
of the bodies that create records are ones the business rules accept (see _seeds), and an
Idempotency-Key is mostly fresh, sometimes the drawn one (so a key is reused); each record
created is sent again with its key, which must give back the original. Invalid cases are
sent as schemathesis made them. Every case carries the person's session cookie, and a
change the X-CSRF-Token header: leaving them out is tests/test_access_matrix.py's job and
tests/test_api_beyond_schemathesis.py's.

Every response must pass schemathesis's checks: no 5xx (`not_a_server_error`), a documented
status, content type, headers and body (`status_code_conformance`,
`content_type_conformance`, `response_headers_conformance`,
`response_schema_conformance`), and a request the document calls invalid is refused
(`negative_data_rejection`). Ours on top: a 422 names the fields at fault; the outsider
hears only 400, 404 or 422 about the family's records; a replay answers 200 with the
original. A bug found and reported but not yet fixed is excused by name (KNOWN_BUGS), for
the cases that show it only. Left out: `positive_data_acceptance` (the document cannot
state rules such as "not in the future" or "a room the rubric knows", so a valid-looking
visit may rightly be refused), `ignored_auth` (tests/test_access_matrix.py calls every
route signed out) and the stateful checks (records here are never deleted).

Cases are generated, not shrunk, and every problem (one example per operation and kind) is
reported at the end. HOMELOG_SCHEMATHESIS_EXAMPLES (default 15) sets the examples per
operation for the member (half for the outsider, a quarter where a password is hashed);
they are random locally and derandomised under CI (CI=true). The figures (operations,
examples, replays, seconds) are printed in the terminal summary; HOMELOG_SCHEMATHESIS_STATS=1
also prints each operation's statuses.
"""

from __future__ import annotations

import io
import itertools
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from homelog.accounts.models import Profession, Role
from tests.factories import DOMAINS, Factory, visit_body
from tests.photos.pictures import small_jpeg
from tests.support import clock
from tests.support.api_client import ApiClient

SPEC_URL = "/api/v1/openapi.json"
SESSION_COOKIE = "homelog_session"
CSRF_HEADER = "X-CSRF-Token"
EXAMPLES = int(os.environ.get("HOMELOG_SCHEMATHESIS_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written to .hypothesis/ in the work tree
    derandomize=bool(os.environ.get("CI")),
    phases=[Phase.explicit, Phase.generate],  # problems are collected, never shrunk
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.large_base_example],
)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]
# Only administrators may use these; everyone else is refused (403) before the body is read.
ADMINISTRATION = {
    "POST /api/v1/users", "PATCH /api/v1/users/{user_id}",
    "DELETE /api/v1/users/{user_id}/second-factor", "POST /api/v1/agencies",
    "GET /api/v1/engine/parameters", "PUT /api/v1/engine/parameters", "POST /api/v1/rubric",
    "GET /api/v1/people", "GET /api/v1/users/{user_id}", "PATCH /api/v1/agencies/{agency_id}",
    "GET /api/v1/engine/parameters/history",
    # Any text as a rubric file: refused line by line (422), never a 500, no new version.
    "GET /api/v1/rubric/versions", "POST /api/v1/rubric/versions",
}
# A new rubric version would change the domains every later test scores: the rubric is
# fuzzed with invalid documents only (and the test checks the version did not move).
NEGATIVE_ONLY = {"POST /api/v1/rubric"}
# Bugs found and reported, not yet fixed (their code is being changed by others): each
# excuses one check on one operation, and only for the cases that show that bug. Such a
# case is still sent and its other checks still apply; the summary counts what was excused.
# (None now: a manager_id that is no user's id is a 422 naming it, tests/accounts.)
KNOWN_BUGS: dict[tuple[str, str], tuple[Callable[[Any], bool], str]] = {}
SIGN_IN = "POST /api/v1/session"
SIGN_OUT = "DELETE /api/v1/session"
SLOW = {SIGN_IN, SIGN_OUT, "POST /api/v1/session/confirm", "POST /api/v1/users",
        "PATCH /api/v1/users/{user_id}"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
IDEMPOTENCY = "Idempotency-Key"
MAX_SHOWN = 2000


# --- the world -------------------------------------------------------------------------------

@dataclass
class Person:
    """Someone signed in, who signs in again when a case ends the session."""

    name: str
    email: str
    app: Flask
    client: ApiClient = field(init=False)
    token: str = field(init=False)
    sign_ins: int = 0

    def __post_init__(self) -> None:
        self.sign_in()

    def sign_in(self) -> None:
        self.client = ApiClient(self.app)
        response = self.client.sign_in(self.email)
        assert response.status_code == 201, response.get_data(as_text=True)
        cookie = self.client.http.get_cookie(SESSION_COOKIE)
        assert cookie is not None
        self.token = cookie.value
        self.sign_ins += 1

    def credentials(self, case: Any) -> None:
        """The session cookie, and on a change the CSRF token."""
        case.cookies[SESSION_COOKIE] = self.token
        if case.method.upper() in UNSAFE:
            case.headers[CSRF_HEADER] = self.client.csrf


@dataclass
class World:
    app: Flask
    member: Person
    outsider: Person
    administrator: Person
    real: dict[str, list[Any]]  # for each id's name, the real values to use


@pytest.fixture
def world(app: Flask, factory: Factory) -> World:
    lead = factory.lead()
    practitioner, spare = factory.user(), factory.user()
    family = factory.family(lead, (practitioner,))
    member = Person("member", lead.email, app)
    outsider = Person("outsider", factory.lead().email, app)
    administrator = Person("administrator", factory.user(
        Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR).email, app)
    client = member.client
    visits = [client.submit_visit(family.id, visit_body()),
              client.submit_visit(family.id, visit_body(
                  concerns=["no_food"], notes="No food in the home."))]
    assert all(visit.status_code == 201 for visit in visits), [v.json for v in visits]
    visit_ids = [visit.json["id"] for visit in visits]
    photo = client.post(f"/api/v1/visits/{visit_ids[0]}/photos", data={
        "file": (io.BytesIO(small_jpeg()), "photo.jpg", "image/jpeg"), "domain_key": "kitchen",
        "parent_agreed": "true"}, content_type="multipart/form-data",
        headers={IDEMPOTENCY: str(uuid.uuid4())})
    assert photo.status_code == 201, photo.json
    agreement = client.put(f"/api/v1/families/{family.id}/agreement", json={
        "agreed_on": clock.today().isoformat(), "levels": dict.fromkeys(DOMAINS, 2)})
    assert agreement.status_code == 200, agreement.json
    flags = client.get(f"/api/v1/families/{family.id}/flags").json
    inbox = client.get("/api/v1/inbox").json
    assert flags and inbox, (flags, inbox)
    return World(app, member, outsider, administrator, real={
        "family_id": [family.id], "visit_id": visit_ids, "visit": visit_ids,
        "photo_id": [photo.json["id"]], "flag_id": [flags[0]["id"]],
        "flag_ids": [[flag["id"] for flag in flags]], "entry_id": [inbox[0]["id"]],
        "user_id": [spare.id, practitioner.id], "agency_id": [spare.agency_id],
    })


# --- running the cases -----------------------------------------------------------------------

@dataclass
class Tally:
    """What one person's run did and found."""

    operations: list[str] = field(default_factory=list)
    examples: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    replays: int = 0
    seconds: Counter[str] = field(default_factory=Counter)
    problems: dict[tuple[str, str], str] = field(default_factory=dict)
    excused: Counter[tuple[str, str]] = field(default_factory=Counter)

    def problem(self, case: Any, kind: str, text: str) -> None:
        key = (case.operation.label, kind)
        if key in KNOWN_BUGS and KNOWN_BUGS[key][0](case):
            self.excused[key] += 1
        else:
            self.problems.setdefault(key, text[:MAX_SHOWN])


RESULTS: dict[tuple[str, str], Tally] = {}  # (database, person) -> tally


def _addresses() -> Iterator[str]:
    """A new network address per sign-in attempt: throttling (tested in tests/accounts)
    must not answer in place of the checks, nor slow the sign-ins of later tests."""
    for n in itertools.count():
        yield f"198.18.{n // 250 % 250}.{n % 250 + 1}"


_ADDRESS = _addresses()


# Credentials are sent as the person has them: the document's security schemes are not
# generated (nor left out: tests/test_access_matrix.py and the CSRF test do that).
CONFIG = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
_OPERATIONS: dict[int, list[Any]] = {}


def operations(app: Flask) -> list[Any]:
    """Every operation in the app's document, as schemathesis reads it."""
    if id(app) not in _OPERATIONS:
        schema = schemathesis.openapi.from_wsgi(SPEC_URL, app, config=CONFIG)
        _OPERATIONS[id(app)] = [result.ok() for result in schema.get_all_operations()]
    assert _OPERATIONS[id(app)], "no operations in the document"
    return _OPERATIONS[id(app)]


def _pin_ids(data: st.DataObject, values: dict[str, Any] | None, real: dict[str, list[Any]],
             always: bool = False) -> set[str]:
    """Replace drawn ids by real ones (mostly); return the names pinned to a real object."""
    pinned: set[str] = set()
    if not isinstance(values, dict):
        return pinned
    for name, value in list(values.items()):
        if name not in real or isinstance(value, bool):
            continue
        shaped = isinstance(value, int) or (isinstance(value, list) and all(
            isinstance(item, int) and not isinstance(item, bool) for item in value))
        if shaped and (always or data.draw(st.integers(0, 3), label=f"keep {name}?") > 0):
            values[name] = data.draw(st.sampled_from(real[name]), label=name)
            pinned.add(name)
    return pinned


FAMILY_OBJECTS = {"family_id", "visit_id", "photo_id", "flag_id", "entry_id"}
# What may tell an outsider about a family's record: only "not found", or a refusal of the
# request itself that a record nobody has would get too.
OUTSIDER_MAY_HEAR = {400, 404, 422}


def _check_ours(person: str, response: Any, pinned: set[str]) -> list[str]:
    found = []
    status = response.status_code
    if status == 422 and not (response.json() or {}).get("error", {}).get("fields"):
        found.append("422 naming no field")
    if person == "outsider" and pinned & FAMILY_OBJECTS and status not in OUTSIDER_MAY_HEAR:
        found.append(f"the outsider was answered {status} about the family's "
                     f"{sorted(pinned & FAMILY_OBJECTS)}")
    return found


def _send(case: Any) -> Any:
    """Through a client of its own, with no cookie but the case's."""
    return case.call(environ_base={"REMOTE_ADDR": next(_ADDRESS)})


def _validate(case: Any, response: Any, tally: Tally, person: Person, pinned: set[str]
              ) -> None:
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as group:
        for failure in group.exceptions:
            tally.problem(case, failure.title, f"{failure.title}\n{group}")
    for problem in _check_ours(person.name, response, pinned):
        tally.problem(case, problem, f"{problem}\n{case.as_curl_command()}\n-> "
                                      f"{response.status_code} {response.text[:500]}")


def _seeds(world: World) -> dict[str, Callable[[], Any]]:
    """Bodies the business rules accept, which the document alone cannot describe (scores
    for the rubric's domains, a time after the family was opened, a real photo...): a third
    of the valid cases send one, so records are created, listed, replayed and amended."""
    return {
        "POST /api/v1/families/{family_id}/visits": visit_body,
        "POST /api/v1/visits/{visit_id}/amendments": lambda: {
            "reason": "Typo in the notes.", "notes": f"Corrected {uuid.uuid4()}"},
        "POST /api/v1/families/{family_id}/events": lambda: {
            "occurred_at": clock.days_ago(1).isoformat(), "kind": "gp_information",
            "summary": "Letter from the GP."},
        "POST /api/v1/visits/{visit_id}/photos": lambda: {
            "file": small_jpeg(), "domain_key": "kitchen", "parent_agreed": "true"},
        "PUT /api/v1/families/{family_id}/agreement": lambda: {
            "agreed_on": clock.today().isoformat(), "levels": dict.fromkeys(DOMAINS, 2)},
    }


def examples_for(label: str, person: Person) -> int:
    """Fewer where each call hashes a password (argon2 is slow on purpose), and for the
    outsider, who is mostly refused before anything else happens."""
    examples = EXAMPLES // 2 if person.name == "outsider" else EXAMPLES
    return max(2, examples // 4) if label in SLOW else max(2, examples)


def fuzz_operation(operation: Any, person: Person, world: World, tally: Tally) -> None:
    label = operation.label
    modes = [GenerationMode.NEGATIVE] if label in NEGATIVE_ONLY else list(GenerationMode)
    strategy = st.one_of([operation.as_strategy(generation_mode=mode) for mode in modes])
    statuses = tally.statuses.setdefault(label, Counter())
    seed = _seeds(world).get(label)

    @settings(FUZZ, max_examples=examples_for(label, person))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(strategy, label="case")
        pinned = set()
        if case.meta is None or case.meta.generation.mode.is_positive:
            pinned = _make_real(case, data, world, person, seed)
        person.credentials(case)
        try:
            response = _send(case)
        except Exception as error:  # the app raised: a 500 in production
            tally.problem(case, f"raised {type(error).__name__}",
                          f"raised {type(error).__name__}: {error}\n{case.as_curl_command()}")
            return
        tally.examples[label] += 1
        statuses[response.status_code] += 1
        _validate(case, response, tally, person, pinned)
        if response.status_code == 201 and IDEMPOTENCY in case.headers:
            _replay(case, response, tally, person, pinned)
        if (label != SIGN_IN and response.status_code == 401) or (
                label == SIGN_OUT and response.status_code == 204):
            person.sign_in()  # the case ended the session (signed out, or wrong passwords)
        if label == "POST /api/v1/visits/{visit_id}/amendments" and response.status_code == 201:
            world.real["visit_id"].append(response.json()["id"])  # amend the latest next

    run()


def _make_real(case: Any, data: st.DataObject, world: World, person: Person,
               seed: Callable[[], Any] | None) -> set[str]:
    """Point a valid case at real records (mostly), seed it with a body the business rules
    accept (a third of the time) and give it a fresh key (mostly). A negative case is sent
    as schemathesis made it, so that its verdict on the case still holds."""
    pinned = _pin_ids(data, case.path_parameters, world.real,
                      always=person.name == "administrator")
    _pin_ids(data, case.query, world.real)
    _pin_ids(data, case.body if isinstance(case.body, dict) else None, world.real)
    if seed and isinstance(case.body, dict) and data.draw(st.integers(0, 2)) == 0:
        # In place: assigning would have schemathesis judge the body again, and it counts
        # any body holding a file (the photo) as not valid.
        case.body.clear()
        case.body.update(seed())
        if "visit_id" in case.path_parameters:
            case.path_parameters["visit_id"] = world.real["visit_id"][-1]
            pinned.add("visit_id")
    if IDEMPOTENCY in case.headers and data.draw(st.integers(0, 3), label="fresh key?") > 0:
        case.headers[IDEMPOTENCY] = str(uuid.uuid4())
    return pinned


def _replay(case: Any, response: Any, tally: Tally, person: Person, pinned: set[str]) -> None:
    """The same request with the same Idempotency-Key: the original, with 200."""
    replay = _send(case)
    tally.replays += 1
    tally.statuses[case.operation.label][replay.status_code] += 1
    _validate(case, replay, tally, person, pinned)
    if replay.status_code != 200 or replay.json().get("id") != response.json()["id"]:
        tally.problem(case, "replay", f"a replay answered "
                      f"{replay.status_code}, not 200 with the original:\n{replay.text[:500]}")


def fuzz_as(person: Person, world: World, wanted: Callable[[str], bool], database: str
            ) -> Tally:
    tally = RESULTS.setdefault((database, person.name), Tally())
    for operation in operations(world.app):
        if not wanted(operation.label):
            continue
        tally.operations.append(operation.label)
        started = time.perf_counter()
        fuzz_operation(operation, person, world, tally)
        tally.seconds[operation.label] += time.perf_counter() - started
    return tally


def report(tally: Tally) -> None:
    if os.environ.get("HOMELOG_SCHEMATHESIS_STATS"):
        for label, seconds in tally.seconds.most_common():
            print(f"{seconds:6.2f}s {tally.examples[label]:4} {label} "
                  f"{dict(sorted(tally.statuses[label].items()))}")
    if tally.problems:
        pytest.fail(f"{len(tally.problems)} problem(s):\n\n" + "\n\n".join(
            f"[{label}] {text}" for (label, _), text in sorted(tally.problems.items())),
            pytrace=False)


# --- tests -----------------------------------------------------------------------------------

@pytest.fixture
def database(db_dialect: str) -> str:
    return db_dialect


def documented(app: Flask) -> set[str]:
    """Every operation in the document, read without schemathesis."""
    paths = app.test_client().get(SPEC_URL).json["paths"]
    return {f"{method.upper()} {path}" for path, item in paths.items() for method in item
            if method in {"get", "put", "post", "patch", "delete"}}


def test_the_member_meets_the_document(world: World, database: str) -> None:
    tally = fuzz_as(world.member, world, lambda label: True, database)
    assert sorted(tally.operations) == sorted(documented(world.app))  # none skipped
    assert all(tally.examples[label] for label in tally.operations), tally.examples
    report(tally)


def test_the_outsider_meets_the_document(world: World, database: str) -> None:
    tally = fuzz_as(world.outsider, world, lambda label: True, database)
    assert sorted(tally.operations) == sorted(documented(world.app))
    assert all(tally.examples[label] for label in tally.operations), tally.examples
    report(tally)


def test_the_administrator_meets_the_document(world: World, database: str) -> None:
    admin = world.administrator.client
    version = admin.get("/api/v1/rubric").json["version"]
    before = {item["name"]: _number(item["value"])
              for item in admin.get("/api/v1/engine/parameters").json["parameters"]}
    try:
        tally = fuzz_as(world.administrator, world, ADMINISTRATION.__contains__, database)
    finally:
        world.administrator.sign_in()
        restored = world.administrator.client.put("/api/v1/engine/parameters", json=before)
    assert restored.status_code == 200, restored.json
    assert sorted(tally.operations) == sorted(ADMINISTRATION)
    assert world.administrator.client.get("/api/v1/rubric").json["version"] == version
    report(tally)


class Summary:
    """Prints, at the end of the run, what was fuzzed: the figures the closing note gives."""

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not RESULTS:
            return
        write = terminalreporter.write_line
        terminalreporter.section("schemathesis")
        for (database, person), tally in sorted(RESULTS.items()):
            write(f"{database}, as the {person}: {len(tally.operations)} operations, "
                  f"{sum(tally.examples.values())} examples and {tally.replays} replays in "
                  f"{sum(tally.seconds.values()):.1f}s; {len(tally.problems)} problem(s)")
            for (label, kind), count in sorted(tally.excused.items()):
                write(f"  known bug, excused {count}x: {label}: {kind}: "
                      f"{KNOWN_BUGS[label, kind][1]}")
        examples = sum(sum(t.examples.values()) + t.replays for t in RESULTS.values())
        operations = {label for tally in RESULTS.values() for label in tally.operations}
        write(f"in all: {len(operations)} operations, {examples} requests")


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> None:
    plugins = request.config.pluginmanager
    if not plugins.has_plugin("homelog-schemathesis-summary"):
        plugins.register(Summary(), "homelog-schemathesis-summary")


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value
