"""Where the time of a benchmarked request goes, measured in-process.

    .venv/bin/python bench/profile_requests.py [--database sqlite|postgresql] [--requests 300]
                                      [--pyinstrument DIR]

Seeds a database like bench/api.py does, then sends sequential requests through
Flask's test client (no gunicorn, no network, one process) and reports, per request:

* the wall time of the whole request, for health, timeline and visit submission;
* the inclusive time of the application's own steps (session look-up, membership
  check, audit record(), the timeline queries, marshmallow load and dump, commit ...),
  found by wrapping those functions where the views and services call them;
* every SQL statement: how many per request and how long, grouped by statement, plus
  pool_pre_ping's hidden "SELECT 1" on every connection checkout.

With --pyinstrument DIR (pip install pyinstrument) it also writes call-tree profiles
of the timeline and visit requests there, as text and HTML.

Nothing under homelog/ is changed: wrapping happens in this process only.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for entry in (str(REPO), str(REPO / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)


class Timers:
    """Inclusive wall time and calls of wrapped functions, and of SQL statements."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.sql_seconds: dict[str, float] = defaultdict(float)
        self.sql_calls: dict[str, int] = defaultdict(int)
        self._sql_started: list[float] = []
        self.lock_taken: float | None = None

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()
        self.sql_seconds.clear()
        self.sql_calls.clear()

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        setattr(owner, name, timed)

    def wrap_method(self, cls: type, name: str, label: str) -> None:
        original = getattr(cls, name)

        def timed(instance: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(instance, *args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        setattr(cls, name, timed)

    def listen_sql(self, engine: Any) -> None:
        from sqlalchemy import event

        @event.listens_for(engine, "before_cursor_execute")
        def _before(*_: Any) -> None:
            self._sql_started.append(time.perf_counter())

        @event.listens_for(engine, "after_cursor_execute")
        def _after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            elapsed = time.perf_counter() - self._sql_started.pop()
            key = _statement_key(statement)
            self.sql_seconds[key] += elapsed
            self.sql_calls[key] += 1
            # SQLite's write lock is taken by BEGIN IMMEDIATE, the audit chain's on
            # PostgreSQL by the advisory lock (inside homelog_audit_append); both are
            # held until commit or rollback.
            if self.lock_taken is None and (
                statement.startswith("BEGIN IMMEDIATE") or "pg_advisory_xact_lock" in statement
                or "homelog_audit_append" in statement
            ):
                self.lock_taken = time.perf_counter()

        dialect = engine.dialect
        original_ping = dialect.do_ping

        def do_ping(dbapi_connection: Any) -> Any:
            started = time.perf_counter()
            try:
                return original_ping(dbapi_connection)
            finally:
                self.sql_seconds["(pool_pre_ping) SELECT 1"] += time.perf_counter() - started
                self.sql_calls["(pool_pre_ping) SELECT 1"] += 1

        dialect.do_ping = do_ping


def _statement_key(statement: str) -> str:
    flat = re.sub(r"\s+", " ", statement).strip()
    if flat.upper().startswith("SELECT"):
        columns, _, rest = flat.partition(" FROM ")
        tables = re.findall(r"(?:FROM|JOIN) (\w+)", " FROM " + rest)
        where = re.search(r" WHERE (.{0,60})", rest)
        extra = f" WHERE {where.group(1)}" if where else ""
        if "ORDER BY" in rest:
            extra += " ORDER BY ..."
        return f"SELECT {columns[7:30]}... FROM {','.join(dict.fromkeys(tables))}{extra}"[:130]
    if flat.upper().startswith("INSERT"):
        return flat.split("(")[0][:60]
    if flat.upper().startswith("UPDATE"):
        return flat[:50]
    return flat[:60]


# The application's own steps, wrapped where the views and services look them up.
# (label, module path, attribute) — labels are indented by what they run inside.
_FUNCTIONS = [
    ("login: session_for_token", "homelog.accounts.access", "session_for_token"),
    ("open_family (membership + audit)", "homelog.visits.views", "open_family"),
    ("  _membership (Family+CoreGroupMember)", "homelog.families.services", "_membership"),
    ("  audit record() for the access", "homelog.families.services", "record"),
    ("timeline_page", "homelog.visits.views", "timeline_page"),
    ("  _visit_item (one per visit shown)", "homelog.visits.timeline", "_visit_item"),
    ("request_fingerprint (json+sha256)", "homelog.visits.views", "request_fingerprint"),
    ("record_visit", "homelog.visits.services", "record_visit"),
    ("  _replayed (idempotency look-up; replays only)", "homelog.visits.services", "_replayed"),
    ("  _insert_new (insert unless the key was used)", "homelog.visits.services",
     "_insert_new"),
    ("  current_rubric (loads rubric row)", "homelog.visits.services", "current_rubric"),
    ("  check_visit", "homelog.visits.services", "check_visit"),
    ("  _insert_once (savepoint + flush; amendments)", "homelog.visits.services", "_insert_once"),
    ("  audit record() for visit.create", "homelog.visits.services", "record"),
    ("describe_visit (re-query + dict; replays only)", "homelog.visits.views", "describe_visit"),
    ("describe_new_visit (dict from what is in hand)", "homelog.visits.views",
     "describe_new_visit"),
    ("jsonify in the view (encode body)", "homelog.visits.views", "jsonify"),
    ("audit: _append (lock, head, hash, insert)", "homelog.audit.services", "_append"),
    ("audit: _canonical (the JSON the database hashes)", "homelog.audit.services", "_canonical"),
]


_LOCK = "write lock held (lock taken -> commit end)"


def instrument(timers: Timers) -> None:
    import importlib

    from homelog.extensions import db
    from homelog.visits import schemas

    for label, module_path, attribute in _FUNCTIONS:
        module = importlib.import_module(module_path)
        if hasattr(module, attribute):  # the code may have moved on; wrap what exists
            timers.wrap(module, attribute, label)
    timers.wrap_method(schemas.TimelineQuerySchema, "load", "marshmallow load: TimelineQuery")
    timers.wrap_method(schemas.VisitInSchema, "load", "marshmallow load: VisitIn")
    timers.wrap_method(schemas.TimelineOutSchema, "dump", "marshmallow dump: TimelineOut")
    timers.wrap_method(schemas.VisitOutSchema, "dump", "marshmallow dump: VisitOut")
    session = db.session
    for name in ("commit", "rollback"):
        original = getattr(session, name)

        def timed(*args: Any, _original: Callable[..., Any] = original,
                  _label: str = f"db.session.{name}() at request end", **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                ended = time.perf_counter()
                timers.seconds[_label] += ended - started
                timers.calls[_label] += 1
                if timers.lock_taken is not None:
                    timers.seconds[_LOCK] += ended - timers.lock_taken
                    timers.calls[_LOCK] += 1
                    timers.lock_taken = None

        setattr(session, name, timed)


def _report(title: str, count: int, wall: float, timers: Timers) -> None:
    per = 1000 / count
    print(f"\n{title}: {count} requests, {wall * per:.2f} ms per request (wall, in-process)")
    print(f"  {'step (inclusive)':<42} {'calls/req':>9} {'ms/req':>8} {'% wall':>7}")
    extra = ["marshmallow load: TimelineQuery", "marshmallow load: VisitIn",
             "marshmallow dump: TimelineOut", "marshmallow dump: VisitOut",
             "db.session.commit() at request end", "db.session.rollback() at request end",
             _LOCK]
    for label in [label for label, _, _ in _FUNCTIONS] + extra:
        if timers.calls.get(label):
            seconds = timers.seconds[label]
            print(f"  {label:<42} {timers.calls[label] / count:9.2f} {seconds * per:8.3f} "
                  f"{100 * seconds / wall:6.1f}%")
    if timers.calls.get(_LOCK):
        held = timers.seconds[_LOCK] / timers.calls[_LOCK]
        print(f"  -> requests serialise on that lock: at most {1 / held:.0f} req/s "
              "however many workers")
    total_sql = sum(timers.sql_seconds.values())
    total_calls = sum(timers.sql_calls.values())
    print(f"  SQL: {total_calls / count:.1f} statements per request, "
          f"{total_sql * per:.3f} ms per request ({100 * total_sql / wall:.1f}% of wall)")
    for key, seconds in sorted(timers.sql_seconds.items(), key=lambda kv: -kv[1]):
        print(f"    {timers.sql_calls[key] / count:5.2f}x {seconds * per:7.3f} ms  {key}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=60)
    parser.add_argument("--pyinstrument", type=Path, help="write call-tree profiles here")
    args = parser.parse_args(argv)

    import os

    from seed import seed

    workdir = Path(tempfile.mkdtemp(prefix="homelog-profile-"))
    pg = None
    try:
        if args.database == "sqlite":
            url = f"sqlite:///{workdir / 'homelog.sqlite3'}"
        else:
            from tests.support.postgres import start_postgres

            pg = start_postgres()
            url = pg.create_database("homelog_profile")
        os.environ["HOMELOG_SECRET_KEY"] = secrets.token_urlsafe(32)
        os.environ["HOMELOG_COOKIE_SECURE"] = "0"
        os.environ["HOMELOG_MEDIA_DIR"] = str(workdir / "media")
        seeded = seed(url, args.families, args.visits)
        print(f"seeded {args.database} in {seeded.seconds}s")
        run(url, seeded, args)
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def run(url: str, seeded: Any, args: argparse.Namespace) -> None:
    import datetime as dt
    import logging
    import random

    from homelog import create_app
    from homelog.extensions import db

    logging.disable(logging.WARNING)
    app = create_app()
    client = app.test_client()
    response = client.post("/api/v1/session",
                           json={"email": seeded.email, "password": seeded.password})
    assert response.status_code == 201, response.get_data(as_text=True)
    csrf = response.get_json()["csrf_token"]
    rubric = client.get("/api/v1/rubric").get_json()
    visited_at = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat(timespec="seconds")
    body = {
        "visited_at": visited_at, "announced": False, "present": ["mother"],
        "rooms_seen": [room["key"] for room in rubric["rooms"]][:4],
        "scores": {d["key"]: (i % 3) + 1 for i, d in enumerate(rubric["domains"])},
        "concerns": [], "notes": "",
    }
    ids = seeded.family_ids
    rng = random.Random(1)

    def health() -> None:
        assert client.get("/api/v1/health").status_code == 200

    def timeline() -> None:
        r = client.get(f"/api/v1/families/{rng.choice(ids)}/timeline")
        assert r.status_code == 200, r.get_data(as_text=True)

    def visit() -> None:
        r = client.post(f"/api/v1/families/{rng.choice(ids)}/visits", json=body,
                        headers={"X-CSRF-Token": csrf, "Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.get_data(as_text=True)

    cases = [("GET /api/v1/health", health), ("GET timeline (first page)", timeline),
             ("POST visits", visit)]
    # Uninstrumented first: the honest per-request wall time.
    print(f"\n[{args.database}] uninstrumented, sequential, one process:")
    baseline = {}
    for title, call in cases:
        for _ in range(30):
            call()
        started = time.perf_counter()
        for _ in range(args.requests):
            call()
        baseline[title] = (time.perf_counter() - started) / args.requests
        print(f"  {title:<28} {baseline[title] * 1000:7.2f} ms/request "
              f"({1 / baseline[title]:7.1f} req/s single-threaded)")
    health_ms = baseline["GET /api/v1/health"]
    for title in list(baseline)[1:]:
        print(f"  {title:<28} ratio to health (in-process): {health_ms / baseline[title]:.3f}")

    timers = Timers()
    instrument(timers)
    with app.app_context():
        timers.listen_sql(db.engine)
    for title, call in cases[1:]:
        for _ in range(10):
            call()
        timers.reset()
        started = time.perf_counter()
        for _ in range(args.requests):
            call()
        _report(f"[{args.database}] {title}", args.requests,
                time.perf_counter() - started, timers)

    if args.pyinstrument:
        from pyinstrument import Profiler

        args.pyinstrument.mkdir(parents=True, exist_ok=True)
        for title, call in cases[1:]:
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.requests):
                call()
            profiler.stop()
            stem = args.pyinstrument / f"{args.database}-{title.split()[1]}"
            stem.with_suffix(".txt").write_text(
                profiler.output_text(unicode=False, color=False, show_all=False))
            stem.with_suffix(".html").write_text(profiler.output_html())
            print(f"pyinstrument: {stem}.txt / .html")
    print(json.dumps({"database": args.database,
                      "ms": {k: round(v * 1000, 3) for k, v in baseline.items()}}))


if __name__ == "__main__":
    raise SystemExit(main())
