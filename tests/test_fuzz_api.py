"""Property-based fuzzing of the state-changing endpoints: bad input gets a clear 4xx, never a 500.

Each endpoint has a model: a strategy of bodies that are valid in every respect (schema and
business rules), and, per field, a strategy of values that make any body invalid. A case is
a valid body, or one with one to three mutations (a required field dropped, a field given a
wrong-typed/out-of-range/unknown value, an unknown key added), or a body that is not a JSON
object at all, or bytes that are not JSON (invalid UTF-8, truncated, nested thousands deep,
integers thousands of digits long), or a valid body sent with a non-JSON content type. Free
text may also be replaced by hostile text (NUL characters, lone surrogates): the server may
store or refuse that, but it may not fail. For every case:

- never a 5xx;
- every 4xx is JSON {"error": {"code", "message", "fields"?}} with non-empty strings;
- a 422 names at least one field in `fields`, and, where a field was mutated, one of those;
  a 400 (the body is not JSON, or the Idempotency-Key header is missing or not a UUID) may
  name no field: its message says what is wrong with the request as a whole;
- a valid case succeeds (2xx), an invalid one does not.

Calls are made as a signed-in member (session cookie, X-CSRF-Token, a fresh Idempotency-Key
per call unless the case is about that header). Hypothesis is used as a bounded generator:
problems are collected (the shortest repro per kind of problem kept) and reported together at
the end, so one run lists every distinct problem and the run time does not depend on
shrinking. The examples are random locally and derandomised under CI (CI=true) so that a red
CI run can be reproduced; HOMELOG_FUZZ_EXAMPLES raises the number of examples per endpoint.

test_known_hostile_inputs replays, deterministically, one input per problem the fuzzing found
when it was written (each a minimal repro), so that each stays fixed once fixed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from homelog.accounts.models import Profession, Role
from homelog.families.services import PLAN_CATEGORIES
from homelog.visits.services import EVENT_KINDS, PRESENT_OPTIONS
from tests.factories import Factory, visit_body
from tests.support import clock
from tests.support.api_client import PASSWORD, ApiClient

EXAMPLES = int(os.environ.get("HOMELOG_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written to .hypothesis/ in the work tree
    derandomize=bool(os.environ.get("CI")),
    phases=[Phase.explicit, Phase.generate],  # problems are collected, never shrunk
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
KEY_HEADER = "Idempotency-Key"
FRESH = "<fresh uuid>"
MAX_REPORTED = 25


# --- values ----------------------------------------------------------------------------------

SAFE_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters=["\x00"])
HOSTILE_CHARS = st.sampled_from(["\x00", "\ud800", "\udfff", "\ud83d", "\x00\x00"])
BIG_INTS = st.sampled_from([2**31, 2**31 - 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 2**70,
                            -(2**63) - 1, 10**30, -(10**30)])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), BIG_INTS,
    st.floats(allow_nan=True, allow_infinity=True), st.text(SAFE_CHARS, max_size=20),
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(SAFE_CHARS, max_size=8), inner, max_size=4),
    max_leaves=10,
)


def text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(SAFE_CHARS, min_size=min_size, max_size=max_size)


def nonblank(max_size: int = 40) -> st.SearchStrategy[str]:
    return text(1, max_size).filter(lambda value: bool(value.strip()))


def oversize(limit: int) -> st.SearchStrategy[str]:
    """A string just over (or far over) `limit` characters."""
    return st.builds(lambda char, extra: char * (limit + extra),
                     st.sampled_from(["x", "é", "字", "😀", " "]),
                     st.sampled_from([1, 2, 17, limit]))


def hostile_text(max_size: int) -> st.SearchStrategy[str]:
    """Text with NUL characters or lone surrogates somewhere in it."""
    return st.builds(lambda before, bad, after: (before + bad + after)[:max_size],
                     text(0, 8), HOSTILE_CHARS, text(0, 8))


def wrong_type(*allowed: type, nullable: bool = False) -> st.SearchStrategy[Any]:
    """A JSON value whose type is not one of `allowed` (null only when not `nullable`)."""

    def wrong(value: Any) -> bool:
        if value is None:
            return not nullable
        if isinstance(value, bool):
            return bool not in allowed
        return not isinstance(value, allowed)

    return JUNK.filter(wrong)


NOT_DATES = st.one_of(
    st.sampled_from(["", "yesterday", "2020-13-01", "2020-02-30", "01/02/2020", "2020-1-32",
                     "0000-00-00", "2020-W01-1x"]),
    st.text(st.characters(exclude_categories=["Nd", "Cs"]), max_size=12),
)
NOT_INSTANTS = st.one_of(
    st.sampled_from(["", "yesterday", "2020-13-01T10:00:00Z", "2020-02-30T10:00:00Z",
                     "2020-01-01T24:61:00Z", "2020-01-01T10:00:00+25:00", "10:00", "now",
                     "2020-01-01T10:00:00 Europe/London"]),
    st.text(st.characters(exclude_categories=["Nd", "Cs"]), max_size=12),
)


def today() -> dt.date:
    return clock.now().date()


def past_dates(lowest: dt.date = dt.date(1, 1, 1)) -> st.SearchStrategy[str]:
    return st.dates(min_value=lowest, max_value=today() - dt.timedelta(days=1)).map(
        dt.date.isoformat)


def future_dates() -> st.SearchStrategy[str]:
    return st.dates(min_value=today() + dt.timedelta(days=2)).map(dt.date.isoformat)


def instants(lowest: dt.datetime, highest: dt.datetime, zone: ZoneInfo
             ) -> st.SearchStrategy[str]:
    """ISO 8601 instants in [lowest, highest] (UTC), written with various offsets or as local
    time without an offset (which the API reads as partnership local time)."""

    def write(moment: dt.datetime, style: int, minutes: int) -> str:
        aware = moment.replace(tzinfo=dt.UTC)
        if style == 0:
            return aware.isoformat().replace("+00:00", "Z")
        if style == 1:
            return aware.astimezone(zone).replace(tzinfo=None).isoformat()
        return aware.astimezone(dt.timezone(dt.timedelta(minutes=minutes))).isoformat()

    return st.builds(
        write,
        st.datetimes(min_value=lowest.replace(tzinfo=None), max_value=highest.replace(tzinfo=None)),
        st.integers(0, 2),
        st.integers(-12 * 60, 14 * 60),
    )


def unique_subset(options: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(options), unique=True, max_size=len(options)) \
        if options else st.just([])


def with_duplicate(options: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(options), min_size=1, max_size=3).map(
        lambda items: [*items, items[0]])


# --- cases -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    invalid: st.SearchStrategy[Any]
    required: bool = False
    text_limit: int = 0  # free text of at most this many characters: hostile text applies


@dataclass
class Model:
    valid: st.SearchStrategy[dict[str, Any]]
    fields: dict[str, Field]


@dataclass
class Case:
    body: Any = None
    raw: bytes | None = None
    content_type: str | None = "application/json"
    verdict: str = "ok"  # ok | invalid | either | exact
    statuses: frozenset[int] = frozenset()  # for "exact"
    named: frozenset[str] = frozenset()  # a 422 must name one of these (when not empty)
    tags: tuple[str, ...] = ("valid",)
    key: str | None = FRESH

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body).encode()

    def shown(self) -> str:
        data = self.payload()
        if len(data) > 400:
            return f"{data[:200]!r}...{data[-60:]!r} ({len(data)} bytes)"
        return repr(data)

    def __repr__(self) -> str:
        return f"Case({', '.join(self.tags)}: {self.shown()[:200]})"


@st.composite
def mutated(draw: st.DrawFn, model: Model) -> Case:
    body = dict(draw(model.valid))
    named: set[str] = set()
    tags: list[str] = []
    breaking = False
    for _ in range(draw(st.integers(1, 3))):
        required = [name for name, spec in model.fields.items() if spec.required and name in body]
        texts = [name for name, spec in model.fields.items() if spec.text_limit and name in body]
        kinds = ["bad", "bad", "unknown"] + ["drop"] * bool(required) + ["hostile"] * bool(texts)
        kind = draw(st.sampled_from(kinds))
        if kind == "drop":
            name = draw(st.sampled_from(required))
            del body[name]
            named.add(name)
            tags.append(f"drop:{name}")
            breaking = True
        elif kind == "bad":
            name = draw(st.sampled_from(sorted(model.fields)))
            body[name] = draw(model.fields[name].invalid)
            named.add(name)
            tags.append(f"bad:{name}")
            breaking = True
        elif kind == "unknown":
            name = draw(text(1, 12).filter(lambda key: key not in model.fields))
            body[name] = draw(JUNK)
            named.add(name)
            tags.append("unknown-key")
            breaking = True
        else:
            name = draw(st.sampled_from(texts))
            body[name] = draw(hostile_text(model.fields[name].text_limit))
            tags.append(f"hostile:{name}")
    return Case(body=body, verdict="invalid" if breaking else "either",
                named=frozenset(named), tags=tuple(tags))


RAW_BODIES = st.one_of(
    st.sampled_from([
        b"", b"{", b'{"a":', b"\xff\xfe\xfd", b'{"x": "\xff"}', b"\xef\xbb\xbf{}", b"NaN",
        b'{"a": 1e999999}', b'"\\ud800"', b"{'single': 'quotes'}", b"{}{}", b"[]" * 3,
        b'{"a": ' + b"9" * 5000 + b"}", b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    ]),
    st.integers(100, 50_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.binary(max_size=40),
)
NON_JSON_TYPES = st.sampled_from([
    None, "text/plain", "application/x-www-form-urlencoded", "application/xml",
    "multipart/form-data; boundary=xyz", "application/octet-stream", "text/html; charset=utf-8",
])


def cases(model: Model, *extra: st.SearchStrategy[Case]) -> st.SearchStrategy[Case]:
    valid = model.valid.map(lambda body: Case(body=body))
    not_object = JUNK.filter(lambda value: not isinstance(value, dict)).map(
        lambda value: Case(body=value, verdict="invalid", tags=("not-an-object",)))
    random_object = st.dictionaries(text(0, 12), JUNK, max_size=5).map(
        lambda value: Case(body=value, verdict="invalid", tags=("random-object",)))
    raw = RAW_BODIES.map(lambda data: Case(raw=data, verdict="invalid", tags=("raw-bytes",)))
    wrong_type_header = st.builds(
        lambda body, content_type: Case(body=body, content_type=content_type,
                                        verdict="invalid", tags=(f"content-type:{content_type}",)),
        model.valid, NON_JSON_TYPES)
    # Valid and mutated bodies weigh most: they exercise validation rule by rule.
    return st.one_of(valid, valid, valid, *[mutated(model)] * 4, not_object, random_object,
                     raw, wrong_type_header, *extra)


# --- checking --------------------------------------------------------------------------------

@dataclass
class Findings:
    """Problems found, one (the shortest) repro per kind; reported at the end."""

    endpoint: str
    problems: dict[tuple[str, ...], str] = field(default_factory=dict)
    sizes: dict[tuple[str, ...], int] = field(default_factory=dict)
    counts: dict[tuple[str, ...], int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    runs: int = 0

    def saw(self, response: TestResponse) -> None:
        self.runs += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1

    def add(self, problem: str, case: Case, method: str, url: str, headers: dict[str, str],
            response: TestResponse) -> None:
        signature = (problem, *sorted({tag.split("=")[0] for tag in case.tags}))
        self.counts[signature] = self.counts.get(signature, 0) + 1
        size = len(case.payload())
        if signature in self.problems and self.sizes[signature] <= size:
            return
        self.sizes[signature] = size
        shown_headers = {k: v for k, v in headers.items() if k != "X-CSRF-Token"}
        self.problems[signature] = (
            f"{problem}\n    {method} {url}  content-type={case.content_type!r} "
            f"headers={shown_headers}\n    case: {', '.join(case.tags)}\n    body: {case.shown()}"
            f"\n    -> {response.status_code} {response.get_data(as_text=True)[:300]}"
        )

    def report(self) -> None:
        if os.environ.get("HOMELOG_FUZZ_STATS"):
            print(f"{self.endpoint}: {dict(sorted(self.statuses.items()))}")
        if not self.problems:
            return
        lines = [f"{self.endpoint}: {len(self.problems)} kind(s) of problem in {self.runs} calls "
                 f"(statuses: {dict(sorted(self.statuses.items()))})"]
        for signature, text_ in list(self.problems.items())[:MAX_REPORTED]:
            lines.append(f"[x{self.counts[signature]}] {text_}")
        pytest.fail("\n\n".join(lines), pytrace=False)


def problems_with(response: TestResponse, case: Case, ok: frozenset[int]) -> list[str]:
    status = response.status_code
    if status >= 500:
        return [f"{status}: a server error"]
    found: list[str] = []
    if 400 <= status < 500:
        found.extend(error_shape_problems(response, case))
    if case.verdict == "ok" and status not in ok:
        found.append(f"{status} for a valid request (expected one of {sorted(ok)})")
    elif case.verdict == "invalid" and not 400 <= status < 500:
        found.append(f"{status}: accepted an invalid request")
    elif case.verdict == "exact" and status not in case.statuses:
        found.append(f"{status} (expected one of {sorted(case.statuses)})")
    return found


def error_shape_problems(response: TestResponse, case: Case) -> list[str]:
    status = response.status_code
    if response.mimetype != "application/json":
        return [f"{status} answered as {response.mimetype}, not JSON"]
    try:
        payload = json.loads(response.get_data())
    except ValueError:
        return [f"{status} with a body that is not JSON"]
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict) or set(payload) != {"error"}:
        return [f"{status} without the {{'error': {{...}}}} shape"]
    found = []
    for name in ("code", "message"):
        if not isinstance(error.get(name), str) or not error[name].strip():
            found.append(f"{status} whose error has no {name}")
    if set(error) - {"code", "message", "fields"}:
        found.append(f"{status} whose error has other keys: {sorted(set(error))}")
    fields = error.get("fields")
    if "fields" in error and (not isinstance(fields, dict) or not fields):
        found.append(f"{status} with an empty or malformed `fields`")
    if status == 422:
        if not isinstance(fields, dict) or not fields:
            found.append("422 naming no field")
        elif case.named:
            top = {str(name) for name in fields} | {str(name).split(".")[0] for name in fields}
            if not top & case.named:
                found.append(f"422 naming {sorted(top)}, not the field at fault "
                             f"({sorted(case.named)})")
    return found


@dataclass
class Target:
    """Where a model's cases are sent, by whom, and what a valid one answers."""

    client: ApiClient
    method: str
    url: Callable[[], str]
    ok: frozenset[int]
    key_header: bool = True
    prepare: Callable[[Case], Case] = lambda case: case
    after: Callable[[Case, TestResponse], None] = lambda case, response: None


def send(target: Target, case: Case) -> tuple[TestResponse, str, dict[str, str]]:
    headers: dict[str, str] = {}
    if target.key_header and case.key is not None:
        headers[KEY_HEADER] = str(uuid.uuid4()) if case.key == FRESH else case.key
    url = target.url()
    kwargs: dict[str, Any] = {"data": case.payload(), "headers": headers}
    if case.content_type is not None:
        kwargs["content_type"] = case.content_type
    call = getattr(target.client, target.method.lower())
    return call(url, **kwargs), url, headers


def fuzz(name: str, model: Model, target: Target,
         extra: st.SearchStrategy[Case] | None = None) -> None:
    findings = Findings(name)
    strategy = cases(model) if extra is None else cases(model, extra)

    @FUZZ
    @given(case=strategy)
    def run(case: Case) -> None:
        case = target.prepare(case)
        response, url, headers = send(target, case)
        findings.saw(response)
        for problem in problems_with(response, case, target.ok):
            findings.add(problem, case, target.method, url, headers, response)
        target.after(case, response)

    run()
    findings.report()


# --- the world the cases are sent to ---------------------------------------------------------

@dataclass
class World:
    app: Flask
    lead: ApiClient
    practitioner: ApiClient
    lead_email: str
    family_id: int
    family_reference: str
    opened_on: dt.date
    rubric: dict[str, Any]
    member_ids: list[int]
    bad_member_ids: list[int]

    @property
    def domains(self) -> list[str]:
        return [domain["key"] for domain in self.rubric["domains"]]

    @property
    def rooms(self) -> list[str]:
        return [room["key"] for room in self.rubric["rooms"]]

    @property
    def concerns(self) -> list[str]:
        return [concern["key"] for concern in self.rubric["concerns"]]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.app.config["HOMELOG_TIMEZONE"])


    def fresh_visit(self) -> int:
        """A new visit by the practitioner, for a test of its own to amend."""
        response = self.practitioner.submit_visit(self.family_id, visit_body())
        assert response.status_code == 201, response.get_data(as_text=True)
        return int(response.json["id"])


_WORLDS: dict[int, World] = {}


@pytest.fixture
def world(app: Flask) -> World:
    """One world per database, shared by the tests here (users are slow to make: argon2)."""
    if id(app) not in _WORLDS:
        _WORLDS[id(app)] = _make_world(app)
    return _WORLDS[id(app)]


def _make_world(app: Flask) -> World:
    factory = Factory(app)
    lead_ref = factory.lead()
    practitioner_ref = factory.user()
    family = factory.family(lead_ref, (practitioner_ref,))
    lead, practitioner = ApiClient(app), ApiClient(app)
    assert lead.sign_in(lead_ref.email).status_code == 201
    assert practitioner.sign_in(practitioner_ref.email).status_code == 201
    with app.app_context():
        from homelog.extensions import db
        from homelog.families.models import Family

        opened_on = db.session.get_one(Family, family.id).opened_on
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    inactive = factory.user(active=False)
    return World(
        app=app, lead=lead, practitioner=practitioner, lead_email=lead_ref.email,
        family_id=family.id, family_reference=family.reference, opened_on=opened_on,
        rubric=lead.get("/api/v1/rubric").json,
        member_ids=[factory.user().id for _ in range(3)] + [practitioner_ref.id],
        bad_member_ids=[admin.id, inactive.id],
    )


# --- models ----------------------------------------------------------------------------------

def visit_fields(world: World, *, amendment: bool) -> dict[str, Field]:
    now = clock.now()
    opened = dt.datetime.combine(world.opened_on, dt.time(), dt.UTC)
    not_a_list = wrong_type(list)
    known = set(world.domains + world.rooms + world.concerns)
    unknown_key = st.one_of(st.just(""), oversize(40),
                            text(1, 40).filter(lambda key: key not in known))
    not_a_key = st.one_of(unknown_key, wrong_type(str))
    scores = [
        wrong_type(dict),
        st.fixed_dictionaries({}, optional={d: st.integers(1, 5) for d in world.domains})
        .filter(lambda given: set(given) != set(world.domains)),
        st.builds(lambda good, key, value: {**good, key: value},
                  st.fixed_dictionaries({d: st.integers(1, 5) for d in world.domains}),
                  unknown_key, st.integers(1, 5)),
        st.builds(lambda good, domain, value: {**good, domain: value},
                  st.fixed_dictionaries({d: st.integers(1, 5) for d in world.domains}),
                  st.sampled_from(world.domains),
                  st.one_of(st.integers(max_value=0), st.integers(min_value=6), BIG_INTS,
                            wrong_type(int, nullable=True))),
    ]
    if amendment:
        scores.pop(1)  # an amendment corrects only some domains: fewer than all is fine
    fields = {
        "visited_at": Field(st.one_of(
            wrong_type(str), NOT_INSTANTS,
            instants(now + dt.timedelta(hours=1), dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
                     world.zone),
            instants(dt.datetime(1900, 1, 1, tzinfo=dt.UTC), opened - dt.timedelta(days=2),
                     world.zone),
            st.sampled_from(["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00",
                             "0001-01-01T00:00:00"]),
        ), required=not amendment),
        "announced": Field(wrong_type(bool), required=not amendment),
        "present": Field(st.one_of(
            not_a_list, with_duplicate(list(PRESENT_OPTIONS)),
            st.lists(st.one_of(text(0, 20).filter(lambda p: p not in PRESENT_OPTIONS),
                               wrong_type(str)), min_size=1, max_size=3),
        ), required=not amendment),
        "rooms_seen": Field(st.one_of(
            not_a_list, with_duplicate(world.rooms), st.lists(not_a_key, min_size=1, max_size=3),
        ), required=not amendment),
        "scores": Field(st.one_of(*scores), required=not amendment),
        "concerns": Field(st.one_of(
            not_a_list, with_duplicate(world.concerns), st.lists(not_a_key, min_size=1,
                                                                 max_size=3),
        )),
        "notes": Field(st.one_of(wrong_type(str), oversize(5000), oversize(100_000)),
                       text_limit=5000),
        "child_presentation": Field(st.one_of(wrong_type(str), oversize(2000)),
                                    text_limit=2000),
    }
    if not amendment:
        fields["rubric_version"] = Field(st.one_of(
            wrong_type(int, nullable=True),
            st.sampled_from([0, -1, world.rubric["version"] + 1000]), BIG_INTS,
        ))
    return fields


def visit_model(world: World) -> Model:
    now = clock.now()
    opened = dt.datetime.combine(world.opened_on, dt.time(), dt.UTC)

    @st.composite
    def valid(draw: st.DrawFn) -> dict[str, Any]:
        scores = draw(st.fixed_dictionaries(
            {d: st.one_of(st.none(), st.integers(1, 5)) for d in world.domains}))
        concerns = draw(st.one_of(st.just([]), unique_subset(world.concerns)))
        worrying = concerns or any(score and score >= 4 for score in scores.values())
        body: dict[str, Any] = {
            "visited_at": draw(instants(opened + dt.timedelta(days=2),
                                        now - dt.timedelta(minutes=10), world.zone)),
            "announced": draw(st.booleans()),
            "present": draw(unique_subset(list(PRESENT_OPTIONS))),
            "rooms_seen": draw(unique_subset(world.rooms)),
            "scores": scores,
        }
        if concerns or draw(st.booleans()):
            body["concerns"] = concerns
        if worrying or draw(st.booleans()):
            body["notes"] = draw(st.one_of(nonblank(200), st.just("n" * 5000))
                                 if worrying else text(0, 200))
        if draw(st.booleans()):
            body["child_presentation"] = draw(st.one_of(text(0, 100), st.just("c" * 2000)))
        if draw(st.booleans()):
            body["rubric_version"] = draw(st.sampled_from([None, world.rubric["version"]]))
        return body

    return Model(valid(), visit_fields(world, amendment=False))


def amendment_model(world: World) -> Model:
    now = clock.now()
    opened = dt.datetime.combine(world.opened_on, dt.time(), dt.UTC)
    changes = {
        "visited_at": instants(opened + dt.timedelta(days=2), now - dt.timedelta(minutes=10),
                               world.zone),
        "announced": st.booleans(),
        "present": unique_subset(list(PRESENT_OPTIONS)),
        "rooms_seen": unique_subset(world.rooms),
        "scores": st.fixed_dictionaries(
            {}, optional={d: st.one_of(st.none(), st.integers(1, 5)) for d in world.domains}),
        "concerns": unique_subset(world.concerns),
        "child_presentation": text(0, 100),
    }
    # Notes always change (a marker is added when sent), so an amendment is never a no-op and
    # a worrying score or concern always has its note.
    valid = st.fixed_dictionaries(
        {"reason": text(3, 60).filter(lambda reason: bool(reason.strip())),
         "notes": text(0, 200)},
        optional=changes,
    )
    fields = visit_fields(world, amendment=True)
    fields["reason"] = Field(st.one_of(
        wrong_type(str), st.sampled_from(["", "ab", "   ", "\t\n  "]), oversize(2000),
    ), required=True, text_limit=2000)
    return Model(valid, fields)


def event_model(world: World) -> Model:
    now = clock.now()
    valid = st.fixed_dictionaries(
        {"occurred_at": instants(dt.datetime(1990, 1, 1, tzinfo=dt.UTC),
                                 now - dt.timedelta(minutes=10), world.zone),
         "kind": st.sampled_from(EVENT_KINDS),
         "summary": st.one_of(text(1, 200), st.just("s" * 5000))},
        optional={"source": st.one_of(text(0, 60), st.just("o" * 200))},
    )
    return Model(valid, {
        "occurred_at": Field(st.one_of(
            wrong_type(str), NOT_INSTANTS,
            instants(now + dt.timedelta(hours=1), dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
                     world.zone),
            st.sampled_from(["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"]),
        ), required=True),
        "kind": Field(st.one_of(wrong_type(str),
                                text(0, 30).filter(lambda kind: kind not in EVENT_KINDS)),
                      required=True),
        "summary": Field(st.one_of(wrong_type(str), st.just(""), oversize(5000)),
                         required=True, text_limit=5000),
        "source": Field(st.one_of(wrong_type(str), oversize(200)), text_limit=200),
    })


REFERENCE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9\-/]{0,15}", fullmatch=True)
INITIALS = st.from_regex(r"[A-Za-z][A-Za-z.\- ]{0,7}", fullmatch=True)
UNIQUE = "\ue000"  # replaced, when sent, by a suffix that makes the reference unique


def family_model(world: World) -> Model:
    child = st.fixed_dictionaries({"initials": INITIALS, "date_of_birth": past_dates()})
    valid = st.fixed_dictionaries(
        {"reference": REFERENCE.map(lambda prefix: prefix + UNIQUE),
         "children": st.lists(child, min_size=1, max_size=3),
         "plan": st.fixed_dictionaries({"category": st.sampled_from(PLAN_CATEGORIES),
                                        "started_on": past_dates()}),
         "opened_on": past_dates()},
        optional={"address": st.one_of(text(0, 80), st.just("a" * 500))},
    )
    bad_child = st.one_of(
        wrong_type(dict),
        st.fixed_dictionaries({"initials": st.one_of(
            wrong_type(str), st.sampled_from(["", "A1", "1A", "ABCDEFGHI", "Jo Bloggs Smith",
                                              "AB\n", "É"])),
            "date_of_birth": past_dates()}),
        st.fixed_dictionaries({"initials": INITIALS, "date_of_birth": st.one_of(
            wrong_type(str), NOT_DATES, future_dates())}),
        st.fixed_dictionaries({"initials": INITIALS, "date_of_birth": past_dates(),
                               "name": text()}),
        st.fixed_dictionaries({"initials": INITIALS}),
    )
    return Model(valid, {
        "reference": Field(st.one_of(
            wrong_type(str), st.just(""), st.just("R" * 41),
            st.builds(lambda a, bad, b: a + bad + b, REFERENCE,
                      st.sampled_from([" ", "_", ".", "é", "#", "\n", "\t", "+"]), REFERENCE),
            REFERENCE.map(lambda ref: "-" + ref), REFERENCE.map(lambda ref: ref + "\n"),
        ), required=True),
        "children": Field(st.one_of(
            wrong_type(list), st.just([]), st.lists(child, min_size=21, max_size=22),
            st.lists(bad_child, min_size=1, max_size=2),
        ), required=True),
        "plan": Field(st.one_of(
            wrong_type(dict),
            st.fixed_dictionaries({"category": st.one_of(
                wrong_type(str), text(0, 20).filter(lambda c: c not in PLAN_CATEGORIES)),
                "started_on": past_dates()}),
            st.fixed_dictionaries({"category": st.sampled_from(PLAN_CATEGORIES),
                                   "started_on": st.one_of(wrong_type(str), NOT_DATES,
                                                           future_dates())}),
            st.fixed_dictionaries({"category": st.sampled_from(PLAN_CATEGORIES)}),
        ), required=True),
        "opened_on": Field(st.one_of(wrong_type(str), NOT_DATES, future_dates()), required=True),
        "address": Field(st.one_of(wrong_type(str), oversize(500)), text_limit=500),
    })


def member_model(world: World) -> Model:
    return Model(
        st.fixed_dictionaries({"user_id": st.sampled_from(world.member_ids)}),
        {"user_id": Field(st.one_of(
            wrong_type(int), st.sampled_from([0, -1, 999_999_999, *world.bad_member_ids]),
            BIG_INTS,
        ), required=True)},
    )


def agreement_model(world: World) -> Model:
    @st.composite
    def valid(draw: st.DrawFn) -> dict[str, Any]:
        agreed_on = draw(st.dates(min_value=dt.date(2000, 1, 1),
                                  max_value=today() - dt.timedelta(days=1)))
        body: dict[str, Any] = {
            "agreed_on": agreed_on.isoformat(),
            "levels": draw(st.fixed_dictionaries({d: st.integers(1, 5) for d in world.domains})),
        }
        if draw(st.booleans()):
            body["note"] = draw(st.one_of(text(0, 100), st.just("n" * 2000)))
        if draw(st.booleans()):
            body["shared_with_parents_on"] = draw(st.one_of(
                st.none(), st.dates(min_value=agreed_on, max_value=today() - dt.timedelta(days=1))
                .map(dt.date.isoformat)))
        return body

    full = st.fixed_dictionaries({d: st.integers(1, 5) for d in world.domains})
    return Model(valid(), {
        "agreed_on": Field(st.one_of(wrong_type(str), NOT_DATES, future_dates()), required=True),
        "levels": Field(st.one_of(
            wrong_type(dict),
            st.fixed_dictionaries({}, optional={d: st.integers(1, 5) for d in world.domains})
            .filter(lambda given: set(given) != set(world.domains)),
            st.builds(lambda good, key: {**good, key: 2}, full,
                      text(1, 20).filter(lambda key: key not in world.domains)),
            st.builds(lambda good, domain, value: {**good, domain: value}, full,
                      st.sampled_from(world.domains),
                      st.one_of(st.integers(max_value=0), st.integers(min_value=6), BIG_INTS,
                                wrong_type(int))),
        ), required=True),
        "note": Field(st.one_of(wrong_type(str), oversize(2000)), text_limit=2000),
        "shared_with_parents_on": Field(st.one_of(
            wrong_type(str, nullable=True), NOT_DATES, st.just("1999-12-31"))),
    })


def session_model(world: World) -> Model:
    wrong_credentials = st.fixed_dictionaries(
        {"email": text(3, 60), "password": text(1, 60)},
        optional={"otp": st.one_of(st.none(), text(0, 16))},
    )
    return Model(wrong_credentials, {
        "email": Field(st.one_of(wrong_type(str), text(0, 2), oversize(254)),
                       required=True, text_limit=254),
        "password": Field(st.one_of(wrong_type(str), st.just(""), oversize(1024)),
                          required=True, text_limit=1024),
        "otp": Field(st.one_of(wrong_type(str, nullable=True), oversize(16)), text_limit=16),
    })


def materialise(case: Case, **replacements: Callable[[Any], Any]) -> Case:
    """Fill in, when sent, what must be unique per call (so a replayed example still fits)."""
    if not isinstance(case.body, dict):
        return case
    body = dict(case.body)
    for name, replace in replacements.items():
        if name in body:
            body[name] = replace(body[name])
    return Case(**{**case.__dict__, "body": body})


def unique_reference(value: Any) -> Any:
    if isinstance(value, str) and value.endswith(UNIQUE):
        return value[:-1] + "-" + uuid.uuid4().hex[:12]
    return value


def marked_note(value: Any) -> Any:
    return f"{value} [{uuid.uuid4().hex[:8]}]" if isinstance(value, str) else value


# --- tests -----------------------------------------------------------------------------------

def test_fuzz_visits(world: World) -> None:
    bad_keys = st.one_of(st.just(None), st.just(""), st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40)
        .filter(lambda key: not is_uuid(key)))
    key_cases = st.builds(
        lambda body, key: Case(body=body, key=key, verdict="exact", statuses=frozenset({400}),
                               tags=("bad-idempotency-key",)),
        visit_model(world).valid, bad_keys)
    fuzz("POST /families/{id}/visits", visit_model(world), Target(
        world.practitioner, "POST", lambda: f"/api/v1/families/{world.family_id}/visits",
        ok=frozenset({201})), extra=key_cases)


def test_fuzz_amendments(world: World) -> None:
    latest = [world.fresh_visit()]

    def follow(case: Case, response: TestResponse) -> None:
        if response.status_code == 201:
            latest[0] = response.json["id"]  # amend the newest version next time

    fuzz("POST /visits/{id}/amendments", amendment_model(world), Target(
        world.practitioner, "POST", lambda: f"/api/v1/visits/{latest[0]}/amendments",
        ok=frozenset({201}), prepare=lambda case: materialise(case, notes=marked_note),
        after=follow))


def test_fuzz_events(world: World) -> None:
    fuzz("POST /families/{id}/events", event_model(world), Target(
        world.practitioner, "POST", lambda: f"/api/v1/families/{world.family_id}/events",
        ok=frozenset({201})))


def test_fuzz_families(world: World) -> None:
    model = family_model(world)
    duplicate = model.valid.map(lambda body: Case(
        body={**body, "reference": world.family_reference}, verdict="exact",
        statuses=frozenset({409}), tags=("reference-in-use",)))
    fuzz("POST /families", model, Target(
        world.lead, "POST", lambda: "/api/v1/families", ok=frozenset({201}), key_header=False,
        prepare=lambda case: materialise(case, reference=unique_reference)), extra=duplicate)


def test_fuzz_members(world: World) -> None:
    fuzz("POST /families/{id}/members", member_model(world), Target(
        world.lead, "POST", lambda: f"/api/v1/families/{world.family_id}/members",
        ok=frozenset({200, 201}), key_header=False))


def test_fuzz_agreement(world: World) -> None:
    fuzz("PUT /families/{id}/agreement", agreement_model(world), Target(
        world.lead, "PUT", lambda: f"/api/v1/families/{world.family_id}/agreement",
        ok=frozenset({200}), key_header=False))


class _EachFromAnotherAddress(ApiClient):
    """Sends each request from a new network address, so that sign-in throttling (which
    accounts/test_throttle.py tests) never answers in place of the checks fuzzed here."""

    _numbers = itertools.count()

    def post(self, *args: Any, **kwargs: Any) -> Any:
        n = next(self._numbers)
        self.http.environ_base["REMOTE_ADDR"] = f"198.18.{n // 250 % 250}.{n % 250 + 1}"
        return super().post(*args, **kwargs)


def test_fuzz_sign_in(world: World) -> None:
    anonymous = _EachFromAnotherAddress(world.app)
    model = session_model(world)
    email = world.lead_email
    right = st.builds(
        lambda variant, otp: Case(body={"email": variant, "password": PASSWORD, **otp}),
        st.sampled_from([email, email.upper(), email.capitalize()]),
        st.sampled_from([{}, {"otp": None}]))
    # A well-formed body with credentials nobody has is refused with 401, not 422.
    wrong = model.valid.map(lambda body: Case(body=body, verdict="exact",
                                              statuses=frozenset({401}), tags=("unknown-user",)))
    fuzz("POST /session", Model(right.map(lambda case: case.body), model.fields), Target(
        anonymous, "POST", lambda: "/api/v1/session", ok=frozenset({201}), key_header=False),
        extra=st.one_of(right, wrong))


def test_fuzz_ids_in_paths(world: World) -> None:
    """Ids nobody has, however large, are 404 (the int converter refuses negatives)."""
    findings = Findings("ids in paths")
    calls = [
        (world.lead, "GET", "/api/v1/families/{}", None),
        (world.lead, "GET", "/api/v1/families/{}/timeline", None),
        (world.lead, "PUT", "/api/v1/families/{}/agreement", {"agreed_on": "2024-01-01",
                                                              "levels": {}}),
        (world.lead, "POST", "/api/v1/families/{}/members", {"user_id": 1}),
        (world.practitioner, "GET", "/api/v1/visits/{}", None),
        (world.practitioner, "POST", "/api/v1/families/{}/visits", visit_body()),
        (world.practitioner, "POST", "/api/v1/families/{}/events",
         {"occurred_at": "2024-01-01T10:00:00Z", "kind": "other", "summary": "x"}),
        (world.practitioner, "POST", "/api/v1/visits/{}/amendments",
         {"reason": "Fuzzing ids", "notes": "x"}),
    ]

    @FUZZ
    @given(call=st.sampled_from(calls),
           ident=st.one_of(st.integers(10**9, 2**31 - 1), st.just(0), BIG_INTS.filter(
               lambda n: n > 0), st.integers(min_value=2**31)))
    def run(call: tuple[ApiClient, str, str, Any], ident: int) -> None:
        client, method, template, body = call
        url = template.format(ident)
        case = Case(body=body, raw=b"" if body is None else None, verdict="exact",
                    statuses=frozenset({404}), tags=(template,))
        response = getattr(client, method.lower())(url, json=body, headers={
            KEY_HEADER: str(uuid.uuid4())})
        findings.saw(response)
        for problem in problems_with(response, case, frozenset()):
            findings.add(problem, case, method, url, {}, response)

    run()
    findings.report()


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value.strip())
    except ValueError:
        return False
    return True


# --- one input per problem found, replayed every time -----------------------------------------

def _raw(data: bytes) -> Case:
    return Case(raw=data, verdict="invalid", tags=("raw",))


KNOWN: list[tuple[str, str, str, Any]] = [
    # (name, who, where: an endpoint of _known_case or a path to GET, change: the fields set in
    # that endpoint's valid body, or a Case of raw bytes)
    ("visit-notes-nul", "practitioner", "visits", {"notes": "a\x00b"}),
    ("visit-notes-lone-surrogate", "practitioner", "visits", {"notes": "\ud800"}),
    ("visit-year-9999-negative-offset", "practitioner", "visits",
     {"visited_at": "9999-12-31T23:59:59-01:00"}),
    ("visit-year-1-positive-offset", "practitioner", "visits",
     {"visited_at": "0001-01-01T00:00:00+01:00"}),
    ("visit-offset-over-24h", "practitioner", "visits",
     {"visited_at": "2024-01-01T10:00:00+25:00"}),
    ("visit-huge-rubric-version", "practitioner", "visits", {"rubric_version": 2**70}),
    ("event-summary-nul", "practitioner", "events", {"summary": "a\x00b"}),
    ("event-year-9999-negative-offset", "practitioner", "events",
     {"occurred_at": "9999-12-31T23:59:59-01:00"}),
    ("amendment-reason-nul", "practitioner", "amendments", {"reason": "Typo \x00 fixed"}),
    ("family-address-nul", "lead", "families", {"address": "1 Road\x00"}),
    ("family-reference-trailing-newline", "lead", "families", {"reference": "NEWLINE\n"}),
    ("family-initials-trailing-newline", "lead", "families",
     {"children": [{"initials": "AB\n", "date_of_birth": "2020-01-01"}]}),
    ("member-huge-user-id", "lead", "members", {"user_id": 2**70}),
    ("member-user-id-over-int32", "lead", "members", {"user_id": 2**31}),
    ("agreement-note-nul", "lead", "agreement", {"note": "\x00"}),
    ("sign-in-email-nul", "anonymous", "session", {"email": "a\x00@b.test"}),
    ("sign-in-email-lone-surrogate", "anonymous", "session", {"email": "\udc00@b.test"}),
    ("deeply-nested-json", "practitioner", "events", _raw(b"[" * 100_000 + b"]" * 100_000)),
    ("integer-of-5000-digits", "lead", "members", _raw(b'{"user_id": ' + b"9" * 5000 + b"}")),
    ("invalid-utf8", "practitioner", "events", _raw(b'{"summary": "\xff\xfe"}')),
    ("huge-family-id-in-path", "lead", f"/api/v1/families/{2**70}", None),
    ("family-id-over-int32-in-path", "lead", f"/api/v1/families/{2**31}", None),
    ("huge-visit-id-in-path", "practitioner", f"/api/v1/visits/{2**70}", None),
]


def _known_case(world: World, where: str, change: Any) -> tuple[str, str, Case]:
    """(method, url, case) for one KNOWN entry: a valid body with `change` applied."""
    if where.startswith("/"):
        return "GET", where, Case(raw=b"", verdict="exact", statuses=frozenset({404}),
                                  tags=(where,))
    bodies: dict[str, tuple[str, str, dict[str, Any]]] = {
        "visits": ("POST", f"/api/v1/families/{world.family_id}/visits", visit_body()),
        "events": ("POST", f"/api/v1/families/{world.family_id}/events",
                   {"occurred_at": "2024-01-01T10:00:00Z", "kind": "other", "summary": "x"}),
        "amendments": ("POST", f"/api/v1/visits/{world.fresh_visit()}/amendments",
                       {"reason": "Typo fixed", "notes": f"changed {uuid.uuid4()}"}),
        "families": ("POST", "/api/v1/families", {
            "reference": f"KNOWN-{uuid.uuid4().hex[:10]}",
            "children": [{"initials": "AB", "date_of_birth": "2020-01-01"}],
            "plan": {"category": "neglect", "started_on": "2024-01-01"},
            "opened_on": "2024-01-01"}),
        "members": ("POST", f"/api/v1/families/{world.family_id}/members",
                    {"user_id": world.member_ids[0]}),
        "agreement": ("PUT", f"/api/v1/families/{world.family_id}/agreement",
                      {"agreed_on": "2024-01-01", "levels": dict.fromkeys(world.domains, 2)}),
        "session": ("POST", "/api/v1/session", {"email": "nobody@b.test", "password": "x"}),
    }
    method, url, body = bodies[where]
    if isinstance(change, Case):
        return method, url, change
    # Either stored faithfully or refused with a 4xx naming the field; never a 5xx. Text that
    # only breaks a rule (a newline in a reference) must be refused.
    strict = any(name in change for name in ("reference", "children", "user_id",
                                             "rubric_version", "visited_at", "occurred_at"))
    return method, url, Case(body={**body, **change}, verdict="invalid" if strict else "either",
                             named=frozenset(change), tags=(f"known:{','.join(change)}",))


def test_known_hostile_inputs(world: World) -> None:
    findings = Findings("known hostile inputs")
    anonymous = ApiClient(world.app)
    for name, who, where, change in KNOWN:
        client = {"lead": world.lead, "practitioner": world.practitioner,
                  "anonymous": anonymous}[who]
        method, url, case = _known_case(world, where, change)
        case = Case(**{**case.__dict__, "tags": (name,)})
        if method == "GET":
            response, headers = client.get(url), {}
        else:
            target = Target(client, method, lambda url=url: url, ok=frozenset({200, 201}),
                            key_header=where in {"visits", "events", "amendments"})
            response, _, headers = send(target, case)
        findings.saw(response)
        for problem in problems_with(response, case, frozenset({200, 201})):
            findings.add(problem, case, method, url, headers, response)
    findings.report()
