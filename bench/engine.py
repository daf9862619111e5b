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
                service, so the change is marked as in production): only the families due
                are analysed (those, plus any whose time-based rule fell due meanwhile),
                their flags reconciled and the core group told of new ones.
   The full run is measured --full-runs times (default 2) and the incremental run
   --rounds times (default 3, each after a different 1% got a visit), interleaved, so
   that both see the same machine; the report takes the median of each and shows the
   range. Each run's CPU time is measured too (this process, plus the PostgreSQL
   server's processes): on a shared machine CPU time hardly changes with the load, wall
   time does, so the CPU ratio says what an idle machine would show.
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
import statistics
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
os.environ.setdefault("HOMELOG_AUDIT_KEY", "bench-audit-key-not-secret-0123456789abcdef")
os.environ.setdefault("HOMELOG_ENV", "production")
os.environ["HOMELOG_SMTP_HOST"] = ""  # inbox only: the benchmark measures the engine

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from bench.api import tree_cpu  # noqa: E402
from homelog import create_app  # noqa: E402
from homelog.accounts.models import Profession, Role, User  # noqa: E402
from homelog.accounts.services import NewUser, create_agency, create_user  # noqa: E402
from homelog.alerts.models import InboxEntry  # noqa: E402
from homelog.core.idempotency import request_fingerprint  # noqa: E402
from homelog.engine.jobs import run_engine  # noqa: E402
from homelog.engine.models import FamilyEngineState, Flag  # noqa: E402
from homelog.engine.state import due_family_ids  # noqa: E402
from homelog.extensions import db  # noqa: E402
from homelog.families.models import CoreGroupMember, Family  # noqa: E402
from homelog.families.services import open_family  # noqa: E402
from homelog.rubric.services import current_rubric  # noqa: E402
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
class Run:
    """One measured engine run."""

    seconds: float
    cpu: float  # this process, plus the database server's processes (PostgreSQL)
    analysed: int


@dataclass
class Result:
    database: str
    families: int
    visits: int
    generate_s: float
    floor_s: float
    first_s: float
    full_runs: list[Run]
    incremental_runs: list[Run]
    incremental_families: int
    flags: int
    inbox_entries: int

    @property
    def full_s(self) -> float:
        return statistics.median(run.seconds for run in self.full_runs)

    @property
    def incremental_s(self) -> float:
        return statistics.median(run.seconds for run in self.incremental_runs)

    @property
    def first_ratio(self) -> float:
        return self.first_s / self.floor_s

    @property
    def full_ratio(self) -> float:
        return self.full_s / self.floor_s

    @property
    def incremental_ratio(self) -> float:
        return self.incremental_s / self.full_s

    @property
    def incremental_ratio_range(self) -> tuple[float, float]:
        """Lowest and highest incremental run over the median full run."""
        seconds = [run.seconds for run in self.incremental_runs]
        return min(seconds) / self.full_s, max(seconds) / self.full_s

    @property
    def incremental_cpu_ratio(self) -> float:
        return (statistics.median(run.cpu for run in self.incremental_runs)
                / statistics.median(run.cpu for run in self.full_runs))


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


def engine_run(app: Flask, cpu: Callable[[], float], *, force: bool) -> tuple[Run, int]:
    """A run over every family (force) or over those due; returns the run and how many
    families were due when it started."""
    now = dt.datetime.now(dt.UTC)
    took: list[float] = []
    with app.app_context():
        due = len(due_family_ids(now))
        db.session.remove()
        started = cpu()
        with timed(took):
            report = run_engine(now, now, force=force)
        used = cpu() - started
        db.session.remove()
    return Run(took[0], used, report.analysed), due


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


def bench(database: str, url: str, families: int, visits: int, say: Callable[[str], None],
          *, server_pids: list[int], full_runs: int = 2,
          rounds: int = 3) -> tuple[Result, list[str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    problems: list[str] = []

    def cpu() -> float:
        return time.process_time() + (tree_cpu(server_pids) if server_pids else 0.0)

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
    first, _ = engine_run(app, cpu, force=True)
    if first.analysed != families:
        problems.append(f"first run analysed {first.analysed} of {families} families")
    flags, inbox = _count(app, Flag), _count(app, InboxEntry)
    say(f"  first run: {first.analysed:,} families in {first.seconds:.2f} s "
        f"({flags:,} flags, {inbox:,} inbox entries written)")
    fulls: list[Run] = []
    incrementals: list[Run] = []
    changed_total = 0
    # Interleaved: full, incremental, full, incremental, ... so both see the same machine.
    for number in range(max(full_runs, rounds)):
        if number < full_runs:
            run, _ = engine_run(app, cpu, force=True)
            fulls.append(run)
            if run.analysed != families:
                problems.append(f"full run analysed {run.analysed} of {families} families")
            if number == 0 and _count(app, Flag) != flags:
                problems.append("a second full run changed the number of flags")
            say(f"  full run: {run.analysed:,} families in {run.seconds:.2f} s "
                f"(CPU {run.cpu:.2f} s)")
        if number < rounds:
            changed = new_visits(app, 0.01, seed=11 + number)
            changed_total += len(changed)
            run, due = engine_run(app, cpu, force=False)
            incrementals.append(run)
            if due < len(changed) or run.analysed != due:
                problems.append(f"incremental run analysed {run.analysed} families, "
                                f"{due} were due, {len(changed)} had a new visit")
            with app.app_context():
                behind = db.session.execute(
                    select(func.count()).select_from(FamilyEngineState).where(
                        FamilyEngineState.version > FamilyEngineState.analysed_version)
                ).scalar()
            if behind:
                problems.append(f"{behind} families still marked changed after an "
                                "incremental run")
            say(f"  incremental: {run.analysed} families ({len(changed)} with a new visit) "
                f"in {run.seconds:.3f} s (CPU {run.cpu:.3f} s)")
    with app.app_context():
        db.engine.dispose()
    return Result(database, families, visits, generate_s, floor_s, first.seconds, fulls,
                  incrementals, changed_total // max(rounds, 1), flags, inbox), problems


def _report(results: list[Result]) -> str:
    lines = [
        f"{'database':<11} {'floor s':>8} {'first s':>8} {'first/floor':>11} {'full s':>8} "
        f"{'full/floor':>10} {'incr s':>8} {'incr/full':>9} {'(range)':>15} "
        f"{'cpu incr/full':>13}  targets",
    ]
    for result in results:
        ok_full = result.full_ratio <= TARGET_FULL
        ok_incr = result.incremental_ratio <= TARGET_INCREMENTAL
        low, high = result.incremental_ratio_range
        lines.append(
            f"{result.database:<11} {result.floor_s:>8.2f} {result.first_s:>8.2f} "
            f"{result.first_ratio:>11.2f} {result.full_s:>8.2f} "
            f"{result.full_ratio:>10.2f} {result.incremental_s:>8.3f} "
            f"{result.incremental_ratio:>9.2%} {f'({low:.2%}-{high:.2%})':>15} "
            f"{result.incremental_cpu_ratio:>13.2%}  "
            f"full <= {TARGET_FULL:g}x floor: {'met' if ok_full else 'MISSED'}; "
            f"incremental <= {TARGET_INCREMENTAL:.0%} of full: "
            f"{'met' if ok_incr else 'MISSED'}")
    lines.append("(full s and incr s: medians of the runs above; the range is the lowest and "
                 "highest incremental run over the median full run)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=40)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--full-runs", type=int, default=2,
                        help="full runs to measure (the median is reported)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="incremental runs to measure, each after a new 1%% got a visit")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.full_runs < 1 or args.rounds < 1:
        parser.error("--full-runs and --rounds must be at least 1")

    results, problems = [], []
    for database in args.databases:
        print(f"== {database}", flush=True)
        with _database(database) as (url, server_pids):
            result, found = bench(database, url, args.families, args.visits,
                                  lambda line: print(line, flush=True),
                                  server_pids=server_pids, full_runs=args.full_runs,
                                  rounds=args.rounds)
        results.append(result)
        problems += [f"{database}: {problem}" for problem in found]
    print()
    print(_report(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(result) | {
            "full_s": result.full_s, "incremental_s": result.incremental_s,
            "first_run_ratio": result.first_ratio, "full_run_ratio": result.full_ratio,
            "incremental_ratio": result.incremental_ratio,
            "incremental_ratio_range": result.incremental_ratio_range,
            "incremental_cpu_ratio": result.incremental_cpu_ratio,
        } for result in results], indent=2, default=str))
    if problems:
        print("RESULT: INVALID\n" + "\n".join(problems))
        return 1
    print("RESULT: valid")
    return 0


@contextmanager
def _database(database: str) -> Iterator[tuple[str, list[int]]]:
    """The database's URL, and the server processes whose CPU time counts (none for SQLite,
    which runs in this process)."""
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="homelog-bench-engine-") as directory:
            yield f"sqlite:///{directory}/engine.sqlite3", []
        return
    server = start_postgres()
    try:
        url = server.create_database("homelog_bench_engine")
        pidfile = server.directory / "data" / "postmaster.pid"
        yield url, [int(pidfile.read_text().split()[0])]
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
