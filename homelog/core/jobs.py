"""Scheduled jobs, run by one process at a time: the registry, the slot, the lock.

Features register their jobs at start-up (the engine run; alerts' delivery, digest and
escalation; the audit checkpoint); core/scheduler.py fires them. Single runner, twice over:

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

Jobs are idempotent on top of that (see engine/ and alerts/), commit per batch of
families (or per user, or per message), and so survive being killed at any point.
How often each runs comes from the partnership's settings, read by the function the
engine names at start-up (use_settings): core keeps no list of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, text

from homelog.core.inserts import insert_missing
from homelog.core.job_models import JobLock, JobRun
from homelog.core.time import local_zone, utcnow
from homelog.extensions import db

log = logging.getLogger(__name__)

RUNNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
LEASE = dt.timedelta(minutes=5)


# --- the job registry ------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """A scheduled job: what it does, how often (from the partnership parameters), its slot."""

    name: str
    run: Callable[[dt.datetime, Callable[[], None]], dict[str, Any]]  # (now, renew) -> detail
    every: Callable[[dict[str, Any]], dt.timedelta | None]  # None: daily at daily_at
    daily_at: Callable[[dict[str, Any]], int] | None = None  # local hour


def register_job(app: Flask, job: Job) -> None:
    """Add a job to the app's scheduler (each feature with jobs calls this at start-up)."""
    app.extensions.setdefault("homelog_jobs", {})[job.name] = job


def jobs_of(app: Flask) -> dict[str, Job]:
    """The app's registered jobs, by name."""
    return app.extensions.get("homelog_jobs", {})


def use_settings(app: Flask, read: Callable[[], dict[str, Any]]) -> None:
    """Name where the jobs' schedules are read from (the partnership's parameters)."""
    app.extensions["homelog_job_settings"] = read


def job_settings() -> dict[str, Any]:
    """The settings the registered jobs' schedules read, as they stand now."""
    read = current_app.extensions.get("homelog_job_settings")
    return read() if read is not None else {}


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
    insert_missing(JobLock.__table__, [{"name": name}], ("name",))
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
    values = job_settings()
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
