"""Benchmark the engine run: full, incremental, and the floor of reading every score once.

    .venv/bin/python bench/engine.py [--families 10000] [--visits 40] [--databases sqlite]

For each database (a SQLite file in a temporary directory; PostgreSQL from
tests/support/postgres.py, a throwaway server on a free loopback port):

1. Generate FAMILIES x VISITS x 10 domains with bulk Core inserts (after the real
   migrations; agencies, users and the rubric through the real services). Each family has a
   core group of four from four agencies who visit in turn, about weekly, every third visit
   unannounced; 70% of families are stable (scores 1-2), 15% worsen over the period and 15%
   swing between good enough and concern, with a rare immediate concern.
2. Measure:
   floor        one SQL pass reading every visit's scores in visit order (and decoding
                them): the least any analysis of every score must cost;
   first run    `run_engine` over every family, none analysed before: facts built, every
                rule run, and every flag and inbox entry of the partnership written (about
                6 flags and 23 inbox entries a family), one transaction per batch. This
                happens once, when the engine is switched on;
   full run     `run_engine` over every family again (as after a change of parameters):
                facts built and every rule run for all, flags reconciled and the engine's
                bookkeeping written; the run the target is about;
   incremental  after 1% of the families get a new visit (recorded through the real
                service, so the change is marked as in production): only those are analysed.
3. Print the times, and the ratios against the targets: full run <= 5 x floor,
   incremental <= 3% of the full run (the first run's ratio is shown too). A miss is
   reported (exit code 0); a run that did not analyse what it should have is INVALID
   (exit code 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("HOMELOG_SECRET_KEY", "bench-engine-secret-key-not-secret")
os.environ.setdefault("HOMELOG_ENV", "production")
os.environ["HOMELOG_SMTP_HOST"] = ""  # inbox only: the benchmark measures the engine

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from homelog import create_app  # noqa: E402
from homelog.accounts.models import Profession, Role, User  # noqa: E402
from homelog.accounts.services import NewUser, create_agency, create_user  # noqa: E402
from homelog.alerts.models import InboxEntry  # noqa: E402
from homelog.engine.jobs import run_engine  # noqa: E402
from homelog.engine.models import FamilyEngineState, Flag  # noqa: E402
from homelog.extensions import db  # noqa: E402
from homelog.families.models import CoreGroupMember, Family  # noqa: E402
from homelog.families.services import open_family  # noqa: E402
from homelog.rubric.services import current_rubric  # noqa: E402
from homelog.visits.idempotency import request_fingerprint  # noqa: E402
from homelog.visits.models import Visit  # noqa: E402
from homelog.visits.services import Submission, record_visit  # noqa: E402
from tests.support.postgres import start_postgres  # noqa: E402

PASSWORD = "bench-engine-password-not-secret"
_BATCH = 5000
_AGENCIES = [("Engine Bench Children's Services", "children_services",
              Role.LEAD_SOCIAL_WORKER, Profession.SOCIAL_WORKER),
             ("Engine Bench Health Visiting", "health", Role.PRACTITIONER,
              Profession.HEALTH_VISITOR),
             ("Engine Bench Police", "police", Role.PRACTITIONER, Profession.POLICE_OFFICER),
             ("Engine Bench Housing", "housing", Role.PRACTITIONER,
              Profession.HOUSING_OFFICER)]
TARGET_FULL = 5.0
TARGET_INCREMENTAL = 0.03


@dataclass
class Result:
    database: str
    families: int
    visits: int
    generate_s: float
    floor_s: float
    first_s: float
    full_s: float
    incremental_s: float
    incremental_families: int
    flags: int
    inbox_entries: int

    @property
    def first_ratio(self) -> float:
        return self.first_s / self.floor_s

    @property
    def full_ratio(self) -> float:
        return self.full_s / self.floor_s

    @property
    def incremental_ratio(self) -> float:
        return self.incremental_s / self.full_s


# --- generating the data ---------------------------------------------------------------------

def _users(app: Flask) -> list[tuple[int, int, str]]:
    """One user per agency: (user id, agency id, profession)."""
    made = []
    with app.app_context():
        for name, kind, role, profession in _AGENCIES:
            agency = create_agency(name, kind)
            user = create_user(NewUser(
                email=f"{kind}.{uuid.uuid4().hex[:6]}@bench.homelog.test",
                name=f"Bench {profession.value}", agency_id=agency.id, role=role,
                profession=profession, password=PASSWORD))
            made.append((user.id, agency.id, profession.value))
        db.session.commit()
    return made


def _scores(pattern: str, index: int, visits: int, domains: list[str],
            rng: random.Random) -> dict[str, int | None]:
    progress = index / max(visits - 1, 1)
    scores: dict[str, int | None] = {}
    for domain in domains:
        if rng.random() < 0.03:
            scores[domain] = None  # not seen
        elif pattern == "stable":
            scores[domain] = rng.choice((1, 2, 2))
        elif pattern == "worsening":
            scores[domain] = max(1, min(5, round(1.5 + 3 * progress + rng.uniform(-0.7, 0.7))))
        else:  # swinging: fine when announced (every third visit is not)
            scores[domain] = rng.choice((4, 5)) if index % 3 == 2 else rng.choice((1, 2))
    return scores


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(app: Flask, families: int, visits: int, seed: int = 7) -> None:
    """FAMILIES families with VISITS visits each, bulk-inserted with SQLAlchemy Core."""
    rng = random.Random(seed)
    users = _users(app)
    lead_id = users[0][0]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=7 * visits + 7)
    with app.app_context():
        rubric = current_rubric()
        domains, rooms = list(rubric.domains), list(rubric.rooms)
        concerns = list(rubric.concerns)
        db.session.commit()
        first_id = (db.session.execute(select(func.max(Family.id))).scalar() or 0) + 1
        family_rows = [{
            "id": first_id + number, "reference": f"BENCH-{number:06d}",
            "address": f"{number} Bench Street", "opened_on": start.date(), "status": "open",
            "plan_category": "neglect", "plan_started_on": start.date(), "created_at": now,
            "created_by_id": lead_id,
        } for number in range(families)]
        for batch in _batches(iter(family_rows)):
            db.session.execute(Family.__table__.insert(), batch)
        members = ({"family_id": row["id"], "user_id": user_id, "is_lead": user_id == lead_id,
                    "added_at": now, "added_by_id": lead_id}
                   for row in family_rows for user_id, _, _ in users)
        for batch in _batches(members):
            db.session.execute(CoreGroupMember.__table__.insert(), batch)

        def visit_rows() -> Iterator[dict[str, Any]]:
            for row in family_rows:
                pattern = rng.choices(("stable", "worsening", "swinging"), (70, 15, 15))[0]
                for index in range(visits):
                    author_id, agency_id, profession = users[index % len(users)]
                    at = start + dt.timedelta(days=7 * index + rng.randint(0, 3),
                                              hours=rng.randint(9, 16))
                    scores = _scores(pattern, index, visits, domains, rng)
                    ticked = [rng.choice(concerns)] if rng.random() < 0.004 else []
                    worrying = ticked or any(s and s >= 4 for s in scores.values())
                    key = str(uuid.UUID(int=rng.getrandbits(128)))
                    yield {
                        "family_id": row["id"], "rubric_version_id": rubric.id,
                        "author_id": author_id, "agency_id": agency_id,
                        "author_profession": profession, "visited_at": at,
                        "announced": index % 3 != 2,
                        "present": ["mother", "children_seen"]
                        + (["father_or_partner"] if index % 2 else []),
                        "rooms_seen": rooms, "scores": scores, "concerns": ticked,
                        "notes": "Discussed with the family." if worrying else "",
                        "child_presentation": "", "recorded_at": at, "idempotency_key": key,
                        "request_hash": key.replace("-", "") * 2, "supersedes_id": None,
                        "amendment_reason": None,
                    }

        for batch in _batches(visit_rows()):
            db.session.execute(Visit.__table__.insert(), batch)
            db.session.commit()
        db.session.commit()


# --- what is measured ------------------------------------------------------------------------

def floor(app: Flask) -> tuple[float, int]:
    """One pass over every visit's scores in visit order; returns (seconds, scores read)."""
    with app.app_context():
        started = time.perf_counter()
        count = 0
        rows = db.session.execute(
            select(Visit.family_id, Visit.visited_at, Visit.scores)
            .order_by(Visit.family_id, Visit.visited_at)
            .execution_options(yield_per=10_000))
        for row in rows:
            count += sum(1 for score in row.scores.values() if score is not None)
        seconds = time.perf_counter() - started
        db.session.commit()
    return seconds, count


@contextmanager
def timed(into: list[float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    into.append(time.perf_counter() - started)


def engine_run(app: Flask, *, force: bool) -> tuple[float, int]:
    """A run over every family (force) or over those due; returns (seconds, analysed)."""
    now = dt.datetime.now(dt.UTC)
    took: list[float] = []
    with app.app_context():
        with timed(took):
            report = run_engine(now, now, force=force)
        db.session.remove()
    return took[0], report.analysed


def new_visits(app: Flask, share: float, seed: int = 11) -> list[int]:
    """A new visit for `share` of the families, through the real service."""
    rng = random.Random(seed)
    with app.app_context():
        ids = db.session.execute(select(Family.id).order_by(Family.id)).scalars().all()
        chosen = sorted(rng.sample(list(ids), max(1, round(len(ids) * share))))
        rubric = current_rubric()
        for family_id in chosen:
            author = db.session.execute(
                select(User).join(CoreGroupMember, CoreGroupMember.user_id == User.id)
                .where(CoreGroupMember.family_id == family_id, CoreGroupMember.is_lead)
            ).scalar_one()
            body = {"visited_at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                    "announced": False, "present": ["mother", "children_seen"],
                    "rooms_seen": list(rubric.rooms),
                    "scores": {key: rng.choice((1, 2, 3)) for key in rubric.domains},
                    "concerns": [], "notes": "", "child_presentation": "",
                    "rubric_version": None}
            access = open_family(author, family_id, None)
            record_visit(access, Submission(author, str(uuid.uuid4()),
                                            request_fingerprint("bench", str(body))), body)
            db.session.commit()
    return chosen


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(model)).scalar() or 0)


def bench(database: str, url: str, families: int, visits: int,
          say: Callable[[str], None]) -> tuple[Result, list[str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    problems: list[str] = []
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    generate(app, families, visits)
    generate_s = time.perf_counter() - started
    say(f"  generated {families:,} families x {visits} visits in {generate_s:.1f} s")
    if database == "postgresql":
        with app.app_context():
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    floor_s, scores = floor(app)
    floor(app)  # warm once more; take the better of the two
    floor_s = min(floor_s, floor(app)[0])
    say(f"  floor: {scores:,} scores read in {floor_s:.2f} s")
    first_s, analysed = engine_run(app, force=True)
    if analysed != families:
        problems.append(f"first run analysed {analysed} of {families} families")
    flags, inbox = _count(app, Flag), _count(app, InboxEntry)
    say(f"  first run: {analysed:,} families in {first_s:.2f} s ({flags:,} flags, "
        f"{inbox:,} inbox entries written)")
    again_s, analysed = engine_run(app, force=True)
    if _count(app, Flag) != flags:
        problems.append("a second full run changed the number of flags")
    say(f"  full run: {analysed:,} families in {again_s:.2f} s")
    changed = new_visits(app, 0.01)
    incremental_s, analysed = engine_run(app, force=False)
    if analysed != len(changed):
        problems.append(f"incremental run analysed {analysed}, expected {len(changed)}")
    with app.app_context():
        behind = db.session.execute(select(func.count()).select_from(FamilyEngineState).where(
            FamilyEngineState.version > FamilyEngineState.analysed_version)).scalar()
    if behind:
        problems.append(f"{behind} families still marked changed after the incremental run")
    say(f"  incremental: {analysed} families in {incremental_s:.3f} s")
    with app.app_context():
        db.engine.dispose()
    return Result(database, families, visits, generate_s, floor_s, first_s, again_s,
                  incremental_s, len(changed), flags, inbox), problems


def _report(results: list[Result]) -> str:
    lines = [
        f"{'database':<11} {'floor s':>8} {'first s':>8} {'first/floor':>11} {'full s':>8} "
        f"{'full/floor':>10} {'incr s':>8} {'incr/full':>9}  targets",
    ]
    for result in results:
        ok_full = result.full_ratio <= TARGET_FULL
        ok_incr = result.incremental_ratio <= TARGET_INCREMENTAL
        lines.append(
            f"{result.database:<11} {result.floor_s:>8.2f} {result.first_s:>8.2f} "
            f"{result.first_ratio:>11.2f} {result.full_s:>8.2f} "
            f"{result.full_ratio:>10.2f} {result.incremental_s:>8.3f} "
            f"{result.incremental_ratio:>9.2%}  "
            f"full <= {TARGET_FULL:g}x floor: {'met' if ok_full else 'MISSED'}; "
            f"incremental <= {TARGET_INCREMENTAL:.0%} of full: "
            f"{'met' if ok_incr else 'MISSED'}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=40)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    results, problems = [], []
    for database in args.databases:
        print(f"== {database}", flush=True)
        with _database(database) as url:
            result, found = bench(database, url, args.families, args.visits,
                                  lambda line: print(line, flush=True))
        results.append(result)
        problems += [f"{database}: {problem}" for problem in found]
    print()
    print(_report(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(result) | {
            "first_run_ratio": result.first_ratio, "full_run_ratio": result.full_ratio,
            "incremental_ratio": result.incremental_ratio,
        } for result in results], indent=2, default=str))
    if problems:
        print("RESULT: INVALID\n" + "\n".join(problems))
        return 1
    print("RESULT: valid")
    return 0


@contextmanager
def _database(database: str) -> Iterator[str]:
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="homelog-bench-engine-") as directory:
            yield f"sqlite:///{directory}/engine.sqlite3"
        return
    server = start_postgres()
    try:
        yield server.create_database("homelog_bench_engine")
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
