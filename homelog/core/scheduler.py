"""The scheduler process: fires each registered job on its schedule (core/jobs.py)."""

from __future__ import annotations

import logging
import signal
from contextlib import suppress
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from homelog.core.jobs import RUNNER, Job, job_settings, jobs_of, run_job
from homelog.core.time import local_zone, utcnow
from homelog.extensions import db

log = logging.getLogger(__name__)


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
        values = job_settings()
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
                latest = job_settings()
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
