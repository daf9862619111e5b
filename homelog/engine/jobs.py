"""Scheduled jobs: the engine run (and, registered by alerts, digest, escalation, email).

Single runner, twice over:

1. The scheduler is its own process, `flask --app homelog scheduler` (`make run` starts
   it beside the web server). Web workers never run jobs, however many there are.
2. Every job execution holds a database lock, so even two scheduler processes (a
   mistake, or a rolling deploy) never run the same job at the same time:
   PostgreSQL: `pg_try_advisory_lock` on a dedicated connection for the whole job
   (released by the server if the process dies); SQLite: a lease in the job's
   `job_lock` row, taken inside BEGIN IMMEDIATE (so check-and-take is atomic), renewed
   while the job runs, and taken over only once it has expired or its holder process
   on this machine is gone.
   Each firing belongs to a time slot (e.g. the hour); the slot is recorded when the
   job finishes, and a process that gets the lock for a slot already done skips it.
   So two schedulers started together run each job once per slot.

Jobs are idempotent on top of that (see engine/services.py and alerts/), commit per
batch of families (or per user, or per message), and so survive being killed at any point.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from homelog.core.time import local_zone, utcnow
from homelog.core.transactions import write_intent
from homelog.engine import services
from homelog.engine.facts import (
    agency_names,
    amended_visits,
    chunks,
    core_group_members,
    load_facts,
    rubric_labels,
)
from homelog.engine.models import JobLock, JobRun
from homelog.engine.parameters import analysis_parameters, current_values
from homelog.extensions import db

log = logging.getLogger(__name__)

RUNNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
LEASE = dt.timedelta(minutes=5)


# --- the engine run --------------------------------------------------------------------------

@dataclass
class RunReport:
    """What an engine run did, for the log, the CLI and job_run.detail."""

    as_of: dt.datetime
    families: int = 0
    analysed: int = 0
    skipped: int = 0
    opened: int = 0
    reopened: int = 0
    closed: int = 0
    updated: int = 0
    messages: list[str] = field(default_factory=list)

    def detail(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "families": self.families,
                "analysed": self.analysed, "skipped": self.skipped, "opened": self.opened,
                "reopened": self.reopened, "closed": self.closed, "updated": self.updated}

    def add(self, outcome: services.Outcome) -> None:
        if outcome.skipped:
            self.skipped += 1
            return
        self.analysed += 1
        self.opened += len(outcome.opened)
        self.reopened += len(outcome.reopened)
        self.closed += len(outcome.closed)
        self.updated += len(outcome.updated)


def run_engine(
    as_of: dt.datetime,
    now: dt.datetime,
    family_ids: Iterable[int] | None = None,
    *,
    force: bool = False,
    after_family: Callable[[int, services.Outcome], None] | None = None,
    batch: int | None = None,
) -> RunReport:
    """Analyse the families that are due (or `family_ids`, or all with `force`) as of `as_of`.

    Families go in batches (`batch`, else the HOMELOG_ENGINE_BATCH_FAMILIES setting): each
    batch is read in a few queries, analysed in memory and written in one transaction, so a
    run stopped at any point leaves each family either fully analysed (flags, inbox entries
    and queued emails together) or untouched, and the next run carries on from there.
    `after_family` is called for each family once its batch is committed.
    """
    size = batch or current_app.config["HOMELOG_ENGINE_BATCH_FAMILIES"]
    values = current_values()
    params = analysis_parameters(values)
    recheck = services.recheck_interval(values)
    labels = rubric_labels()  # may load the default rubric: before the reads below
    db.session.commit()
    with reading():
        agencies = agency_names()
        if family_ids is not None:
            ids = services.open_family_ids(family_ids)
        else:
            ids = services.open_family_ids() if force else services.due_family_ids(as_of)
    report = RunReport(as_of=as_of, families=len(ids))
    for chunk in chunks(ids, size):
        with reading():  # the engine rows first: anything recorded later is caught
            states = services.engine_states(chunk)
            facts = load_facts(chunk, labels, agencies)
            amended = amended_visits(chunk)
            active = services.active_flags(chunk)
            closed = services.closed_keys(chunk)
            members = core_group_members(chunk)
        prepared = [services.prepare(
            facts[family_id], states.get(family_id, services.EngineState()),
            active.get(family_id, {}), amended.get(family_id), params, recheck, as_of,
            closed=closed.get(family_id),
        ) for family_id in chunk if family_id in facts]  # (not in facts: removed meanwhile)
        # Families never analysed get their engine row in the batch's transaction, first.
        services.ensure_states([family.family_id for family in prepared
                                if family.family_id not in states])
        outcomes = services.write_families(prepared, as_of, now, members)
        db.session.commit()
        for family_id, outcome in outcomes.items():
            if outcome.skipped:
                report.messages.append(f"Family {family_id} skipped: {outcome.skipped}.")
            report.add(outcome)
            if after_family is not None:
                after_family(family_id, outcome)
    return report


@contextmanager
def reading() -> Iterator[None]:
    """A read-only transaction: on SQLite a plain BEGIN, so visits can be recorded meanwhile."""
    db.session.commit()
    token = write_intent.set(False)
    try:
        yield
        db.session.commit()
    finally:
        write_intent.reset(token)


# --- the job registry ------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """A scheduled job: what it does, how often (from the partnership parameters), its slot."""

    name: str
    run: Callable[[dt.datetime, Callable[[], None]], dict[str, Any]]  # (now, renew) -> detail
    every: Callable[[dict[str, Any]], dt.timedelta | None]  # None: daily at daily_at
    daily_at: Callable[[dict[str, Any]], int] | None = None  # local hour


def register_job(app: Flask, job: Job) -> None:
    """Add a job to the app's scheduler (features below the scheduler call this at start-up)."""
    app.extensions.setdefault("homelog_jobs", {})[job.name] = job


def jobs_of(app: Flask) -> dict[str, Job]:
    return app.extensions.get("homelog_jobs", {})


def slot_of(job: Job, now: dt.datetime, values: dict[str, Any]) -> dt.datetime:
    """The time slot a firing at `now` belongs to (the start of its interval, or today's hour)."""
    interval = job.every(values)
    if interval is not None:
        seconds = int(interval.total_seconds())
        epoch = int(now.timestamp())
        return dt.datetime.fromtimestamp(epoch - epoch % seconds, dt.UTC)
    assert job.daily_at is not None
    local = now.astimezone(local_zone())
    at = local.replace(hour=job.daily_at(values), minute=0, second=0, microsecond=0)
    if at > local:
        at -= dt.timedelta(days=1)
    return at.astimezone(dt.UTC)


# --- the single-runner lock ------------------------------------------------------------------

def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"homelog-job:{name}".encode()).digest()[:8],
                          "big", signed=True)


def _holder_alive(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's process: trust its lease
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ensure_lock_row(name: str) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(JobLock).values(name=name).on_conflict_do_nothing())
    db.session.commit()


class Busy(Exception):
    """Another process holds the job's lock."""


@contextmanager
def _sqlite_lease(name: str) -> Iterator[Callable[[], None]]:
    now = utcnow()
    row = db.session.get_one(JobLock, name)  # in BEGIN IMMEDIATE: nobody else can take it
    if (row.holder and row.holder != RUNNER and row.lease_until and row.lease_until > now
            and _holder_alive(row.holder)):
        db.session.commit()
        raise Busy(row.holder)
    row.holder, row.lease_until = RUNNER, now + LEASE
    db.session.commit()
    last_renewed = [time.monotonic()]

    def renew() -> None:
        if time.monotonic() - last_renewed[0] < 30:
            return
        db.session.commit()
        lock = db.session.get_one(JobLock, name)
        lock.lease_until = utcnow() + LEASE
        db.session.commit()
        last_renewed[0] = time.monotonic()

    try:
        yield renew
    finally:
        db.session.rollback()
        lock = db.session.get_one(JobLock, name)
        if lock.holder == RUNNER:
            lock.holder, lock.lease_until = None, None
        db.session.commit()


@contextmanager
def _postgres_lock(name: str) -> Iterator[Callable[[], None]]:
    connection = db.engine.connect()
    try:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                 {"key": _advisory_key(name)}).scalar()
        connection.commit()
        if not got:
            raise Busy("another PostgreSQL session")
        try:
            yield lambda: None
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                               {"key": _advisory_key(name)})
            connection.commit()
    finally:
        connection.close()


@contextmanager
def job_lock(name: str) -> Iterator[Callable[[], None]]:
    """Hold the job's single-runner lock (raises Busy if another process has it).

    Yields `renew`, for long jobs to call now and then (it keeps a SQLite lease alive).
    """
    _ensure_lock_row(name)
    lock = _postgres_lock if db.engine.dialect.name == "postgresql" else _sqlite_lease
    with lock(name) as renew:
        yield renew


def run_job(name: str, now: dt.datetime | None = None) -> str:
    """Run one registered job once, under its lock: 'done', 'busy', 'already done' or 'failed'."""
    job = jobs_of(current_app)[name]
    now = now or utcnow()
    values = current_values()
    slot = slot_of(job, now, values)
    db.session.commit()
    try:
        with job_lock(name) as renew:
            done_slot = db.session.execute(
                select(JobLock.last_slot).where(JobLock.name == name)).scalar()
            if done_slot is not None and done_slot >= slot:
                db.session.commit()
                log.info("job %s: slot %s already done; skipped", name, slot.isoformat())
                return "already done"
            run = JobRun(name=name, slot=slot, runner=RUNNER, started_at=utcnow())
            db.session.add(run)
            db.session.commit()
            run_id = run.id
            try:
                detail = job.run(now, renew)
            except Exception:
                db.session.rollback()
                log.exception("job %s failed", name)
                _finish(run_id, "failed", None)
                return "failed"
            _finish(run_id, "done", detail)
            lock = db.session.get_one(JobLock, name)
            lock.last_slot = slot
            db.session.commit()
            log.info("job %s done: %s", name, detail)
            return "done"
    except Busy as busy:
        log.info("job %s is running elsewhere (%s); skipped", name, busy)
        return "busy"


def _finish(run_id: int, outcome: str, detail: dict[str, Any] | None) -> None:
    run = db.session.get_one(JobRun, run_id)
    run.finished_at, run.outcome, run.detail = utcnow(), outcome, detail
    db.session.commit()


def _engine_job(now: dt.datetime, renew: Callable[[], None]) -> dict[str, Any]:
    report = run_engine(now, now, after_family=lambda _family, _outcome: renew())
    return report.detail()


ENGINE_JOB = Job("engine", _engine_job,
                 every=lambda values: dt.timedelta(minutes=values["engine_interval_minutes"]))


# --- the scheduler process -------------------------------------------------------------------

def _trigger(job: Job, values: dict[str, Any], zone: Any) -> Any:
    interval = job.every(values)
    if interval is not None:
        return IntervalTrigger(seconds=int(interval.total_seconds()), timezone=zone)
    assert job.daily_at is not None
    return CronTrigger(hour=job.daily_at(values), minute=0, timezone=zone)


def _trigger_key(job: Job, values: dict[str, Any]) -> tuple[Any, ...]:
    return (job.every(values), job.daily_at(values) if job.daily_at else None)


def _describe(name: str, job: Job, values: dict[str, Any]) -> str:
    interval = job.every(values)
    if interval is None:
        assert job.daily_at is not None
        return f"{name} daily at {job.daily_at(values):02d}:00"
    return f"{name} every {int(interval.total_seconds())} s"


def serve(app: Flask, *, run_now: bool = False) -> None:
    """Run the scheduler in this process until stopped (SIGINT or SIGTERM).

    Each registered job is scheduled from the partnership parameters; a change of
    parameter is picked up within a minute. `run_now` fires every job once at start.
    """
    with app.app_context():
        values = current_values()
        zone = local_zone()
        db.session.remove()
    scheduler = BlockingScheduler(timezone=zone)
    registered = jobs_of(app)
    keys = {name: _trigger_key(job, values) for name, job in registered.items()}

    def fire(name: str) -> None:
        with app.app_context():
            try:
                run_job(name)
            finally:
                db.session.remove()

    def follow_parameters() -> None:
        with app.app_context():
            try:
                latest = current_values()
            finally:
                db.session.remove()
        for name, job in registered.items():
            key = _trigger_key(job, latest)
            if key != keys[name]:
                keys[name] = key
                scheduler.reschedule_job(name, trigger=_trigger(job, latest, zone))
                log.info("rescheduled: %s", _describe(name, job, latest))

    start = utcnow().astimezone(zone)
    for name, job in registered.items():
        # Interval jobs catch up at start (they are incremental); daily ones wait for their
        # hour unless asked.
        now_too = run_now or job.every(values) is not None
        scheduler.add_job(fire, _trigger(job, values, zone), args=[name], id=name, name=name,
                          max_instances=1, coalesce=True, misfire_grace_time=600,
                          **({"next_run_time": start} if now_too else {}))
    scheduler.add_job(follow_parameters, IntervalTrigger(minutes=1, timezone=zone),
                      id="follow-parameters", max_instances=1, coalesce=True)

    def stop(_signum: int, _frame: Any) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler %s started: %s", RUNNER,
             "; ".join(_describe(name, job, values) for name, job in registered.items()))
    with suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
    log.info("scheduler %s stopped", RUNNER)


def init_jobs(app: Flask) -> None:
    """Register the engine run with the app's scheduler."""
    register_job(app, ENGINE_JOB)
