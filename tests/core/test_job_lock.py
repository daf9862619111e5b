"""The single-runner lock and time slots, in one process (two processes: test_processes.py)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess

import pytest

from homelog.core import jobs
from homelog.core.jobs import Busy, Job, job_lock, register_job, run_job
from homelog.extensions import db
from tests.factories import unique
from tests.support import clock


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_held_lock_turns_a_second_runner_away(app, db_dialect, monkeypatch):
    name = unique("lock")
    with app.app_context(), job_lock(name):
        if db_dialect == "sqlite":
            # Another live process on this machine holds the lease.
            monkeypatch.setattr(jobs, "RUNNER", f"{socket.gethostname()}:{os.getppid()}:other")
        with pytest.raises(Busy), job_lock(name):
            pass
        db.session.rollback()


def test_a_lease_left_by_a_dead_process_is_taken_over(app, db_dialect, monkeypatch):
    if db_dialect != "sqlite":
        pytest.skip("PostgreSQL releases an advisory lock when its session ends")
    name = unique("lock")
    monkeypatch.setattr(jobs, "RUNNER", f"{socket.gethostname()}:{_dead_pid()}:gone")
    with app.app_context():
        with job_lock(name):
            pass
        row = db.session.get_one(jobs.JobLock, name)
        row.holder, row.lease_until = jobs.RUNNER, clock.now() + jobs.LEASE
        db.session.commit()  # as if that process died holding it
    monkeypatch.setattr(jobs, "RUNNER", f"{socket.gethostname()}:{os.getpid()}:me")
    with app.app_context(), job_lock(name):
        assert db.session.get_one(jobs.JobLock, name).holder == jobs.RUNNER


def test_a_slot_runs_once_and_the_next_slot_runs_again(app):
    name = unique("job")
    ran: list[dt.datetime] = []
    register_job(app, Job(name, lambda now, renew: ran.append(now) or {"ran": True},
                          every=lambda values: dt.timedelta(hours=1)))
    ten = dt.datetime(2026, 7, 10, 10, 5, tzinfo=dt.UTC)
    with app.app_context():
        assert run_job(name, ten) == "done"
        assert run_job(name, ten + dt.timedelta(minutes=20)) == "already done"
        assert run_job(name, ten + dt.timedelta(hours=1)) == "done"
        assert ran == [ten, ten + dt.timedelta(hours=1)]
        runs = db.session.execute(db.select(jobs.JobRun).where(jobs.JobRun.name == name)
                                  ).scalars().all()
        assert [(run.slot, run.outcome, run.detail) for run in runs] == [
            (dt.datetime(2026, 7, 10, 10, tzinfo=dt.UTC), "done", {"ran": True}),
            (dt.datetime(2026, 7, 10, 11, tzinfo=dt.UTC), "done", {"ran": True}),
        ]


def test_a_failed_job_is_recorded_and_its_slot_stays_open(app):
    name = unique("job")
    attempts: list[int] = []

    def flaky(now: dt.datetime, renew) -> dict:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("mail server on fire")
        return {}

    register_job(app, Job(name, flaky, every=lambda values: dt.timedelta(hours=1)))
    now = dt.datetime(2026, 7, 10, 10, 5, tzinfo=dt.UTC)
    with app.app_context():
        assert run_job(name, now) == "failed"
        assert run_job(name, now) == "done"
        outcomes = db.session.execute(db.select(jobs.JobRun.outcome).where(
            jobs.JobRun.name == name).order_by(jobs.JobRun.id)).scalars().all()
        assert outcomes == ["failed", "done"]


def test_the_daily_slot_is_the_digest_hour_in_partnership_time(app):
    job = Job("daily", lambda now, renew: {}, every=lambda values: None,
              daily_at=lambda values: 7)
    with app.app_context():
        summer_morning = dt.datetime(2026, 7, 10, 6, 30, tzinfo=dt.UTC)  # 07:30 in London
        assert jobs.slot_of(job, summer_morning, {}) == dt.datetime(2026, 7, 10, 6,
                                                                     tzinfo=dt.UTC)
        before = dt.datetime(2026, 7, 10, 5, 30, tzinfo=dt.UTC)  # 06:30 in London
        assert jobs.slot_of(job, before, {}) == dt.datetime(2026, 7, 9, 6, tzinfo=dt.UTC)
