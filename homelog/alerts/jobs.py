"""The alerts' scheduled jobs: email delivery, the daily digest and escalation.

They run in the scheduler process under the single-runner lock of core/jobs.py and
commit once per message, per user or per flag, so a job stopped halfway resumes cleanly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask

from homelog.alerts import digest as digests
from homelog.alerts import escalation, mail
from homelog.core.jobs import RUNNER, Job, register_job
from homelog.core.time import local_date
from homelog.extensions import db


def deliver(now: dt.datetime, renew: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Send the emails whose time has come."""
    report = mail.deliver_due(now, RUNNER)
    return {"sent": report.sent, "failed": report.failed, "uncertain": report.uncertain}


def digest(now: dt.datetime, renew: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Queue today's digest for every user with flags not yet mailed, then send them."""
    day = local_date(now)
    queued = 0
    for user_id in digests.digest_recipients(now):
        queued += digests.send_digest(user_id, day, now)
        db.session.commit()
        renew()
    return {"digests": queued, **deliver(now)}


def escalate(now: dt.datetime, renew: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Pass unacknowledged high-severity flags to the lead's manager, then send the emails."""
    told = 0
    for flag_id in escalation.flags_to_escalate(now):
        told += bool(escalation.escalate(flag_id, now))
        db.session.commit()
        renew()
    return {"escalated": told, **deliver(now)}


def init_alert_jobs(app: Flask) -> None:
    """Register delivery, digest and escalation with the app's scheduler."""
    register_job(app, Job("outbox", deliver, every=lambda values: dt.timedelta(
        seconds=values["outbox_interval_seconds"])))
    register_job(app, Job("digest", digest, every=lambda values: None,
                          daily_at=lambda values: values["digest_hour"]))
    register_job(app, Job("escalation", escalate, every=lambda values: dt.timedelta(
        minutes=values["escalation_check_minutes"])))
