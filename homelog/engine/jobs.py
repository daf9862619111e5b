"""The engine's scheduled job: analyse the families that are due, batch by batch.

The scheduler, its registry and the single-runner lock are core's (core/jobs.py); this is
what the engine asks it to run, and how often (the partnership's parameters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from homelog.core.jobs import Job, register_job, use_settings
from homelog.core.transactions import reading
from homelog.engine import flag_store, services, state
from homelog.engine.facts import (
    agency_names,
    amended_visits,
    chunks,
    core_group_members,
    load_facts,
    rubric_labels,
)
from homelog.engine.flag_store import Outcome
from homelog.engine.parameters import analysis_parameters, current_values
from homelog.extensions import db

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

    def add(self, outcome: Outcome) -> None:
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
    after_family: Callable[[int, Outcome], None] | None = None,
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
            ids = state.open_family_ids(family_ids)
        else:
            ids = state.open_family_ids() if force else state.due_family_ids(as_of)
    report = RunReport(as_of=as_of, families=len(ids))
    for chunk in chunks(ids, size):
        with reading():  # the engine rows first: anything recorded later is caught
            states = state.engine_states(chunk)
            facts = load_facts(chunk, labels, agencies)
            amended = amended_visits(chunk)
            active = flag_store.active_flags(chunk)
            closed = flag_store.closed_keys(chunk)
            members = core_group_members(chunk)
        prepared = [services.prepare(
            facts[family_id], states.get(family_id, state.EngineState()),
            active.get(family_id, {}), amended.get(family_id), params, recheck, as_of,
            closed=closed.get(family_id),
        ) for family_id in chunk if family_id in facts]  # (not in facts: removed meanwhile)
        # Families never analysed get their engine row in the batch's transaction, first.
        state.ensure_states([family.family_id for family in prepared
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


def _engine_job(now: dt.datetime, renew: Callable[[], None]) -> dict[str, Any]:
    report = run_engine(now, now, after_family=lambda _family, _outcome: renew())
    return report.detail()


ENGINE_JOB = Job("engine", _engine_job,
                 every=lambda values: dt.timedelta(minutes=values["engine_interval_minutes"]))


def init_jobs(app: Flask) -> None:
    """Register the engine run with the app's scheduler, whose schedules read the
    partnership's parameters."""
    use_settings(app, current_values)
    register_job(app, ENGINE_JOB)
