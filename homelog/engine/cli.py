"""flask --app homelog analyse [--family ID] [--as-of DATE] / flask --app homelog scheduler"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from homelog.core import scheduler
from homelog.core.jobs import Busy, job_lock
from homelog.core.time import local_zone, start_of_day, utcnow
from homelog.engine import jobs
from homelog.engine.flag_store import Outcome

# For tests only: stop (without exiting) after this many families have been committed, so
# a test can kill the process in the middle of a run.
PAUSE_ENV = "HOMELOG_TEST_PAUSE_AFTER_FAMILIES"


def parse_as_of(value: str) -> dt.datetime:
    """A date means the end of that day in partnership time; a date-time is taken as given."""
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            next_day = start_of_day(day.toordinal() + 1, local_zone())
            return next_day - dt.timedelta(microseconds=1)
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("Use a date (2026-07-10) or a date and time "
                                 "(2026-07-10T14:30).") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment.astimezone(dt.UTC)


def _after_family(renew: Callable[[], None]) -> Callable[[int, Outcome], None]:
    """Keep the engine's lock alive as families are done (and pause there for tests)."""
    raw = os.environ.get(PAUSE_ENV)
    limit = int(raw) if raw else None
    done = [0]

    def after_family(family_id: int, _outcome: Outcome) -> None:
        renew()
        done[0] += 1
        if done[0] == limit:
            click.echo(f"PAUSED after {limit} families (last: {family_id})")
            sys.stdout.flush()
            time.sleep(3600)

    return after_family


@click.command("analyse")
@click.option("--family", "family_ids", type=int, multiple=True,
              help="Only this family (repeat for several). Analysed even if nothing is new.")
@click.option("--as-of", "as_of_text", metavar="DATE",
              help="Analyse as of this date (end of that day) or date-time, to replay a history.")
@click.option("--all", "everything", is_flag=True,
              help="Every open family, not only those with something new.")
@with_appcontext
def analyse_command(family_ids: tuple[int, ...], as_of_text: str | None,
                    everything: bool) -> None:
    """Run the engine now: families with something new (or those named), as of now or a date.

    Flags are dated by the visits that raised them, so running this day by day (or visit
    by visit) with --as-of replays a history and ends with the same flags as one run.
    Refused while the engine runs elsewhere (it holds the scheduler's engine lock).
    """
    now = utcnow()
    as_of = parse_as_of(as_of_text) if as_of_text else now
    if as_of > now + dt.timedelta(days=1):
        raise click.BadParameter("Cannot analyse as of a date in the future.",
                                 param_hint="--as-of")
    try:
        # The scheduler's lock: never two engine runs at once, whoever started them.
        with job_lock(jobs.ENGINE_JOB.name) as renew:
            report = jobs.run_engine(
                as_of, now, family_ids or None, force=everything or as_of_text is not None,
                after_family=_after_family(renew),
            )
    except Busy as busy:
        raise click.ClickException(
            "The engine is running in another process now (the scheduler, or another "
            "analyse); nothing was analysed. Try again when it has finished.") from busy
    for message in report.messages:
        click.echo(message)
    click.echo(
        f"Analysed {report.analysed} of {report.families} families as of "
        f"{as_of.astimezone(local_zone()).isoformat(timespec='minutes')}: "
        f"{report.opened} flags opened, {report.reopened} raised again, "
        f"{report.closed} closed, {report.updated} updated."
        + (f" {report.skipped} skipped." if report.skipped else "")
    )


@click.command("scheduler")
@click.option("--run-now", is_flag=True, help="Run every job once at start, then on schedule.")
def scheduler_command(run_now: bool) -> None:
    """Run the scheduled jobs (engine, email, digest, escalation) until stopped.

    Run exactly one of these next to the web server (`make run` does). A second one
    is harmless: a database lock lets only one run each job at a time.
    """
    scheduler.serve(current_app._get_current_object(), run_now=run_now)  # type: ignore[attr-defined]
