"""The engine run for one family and for a batch, and the immediate concerns a visit raises.

The pipeline (see homelog/engine/__init__.py): facts are read (facts.py, with the engine
rows of state.py and the stored flags of flag_store.py), the pure steps run in memory
(steps/: findings, concerns, the plan of flags), and the plans are written (flag_store.py)
with the engine rows. Services flush; the caller (a request, or the job loop, once per
batch of families) commits, so a run killed halfway leaves every family either fully
analysed or untouched.

Runs read a batch of families at once (facts, engine state, open flags), analyse them in
memory, and then write the whole batch in one short transaction: a handful of statements
whatever the number of families, not a few per family. The transaction first re-checks,
on the families' engine rows, that nothing was recorded for them since the read (each
row's `version`); a family that fails the check is left out of the write and stays due.
That UPDATE also takes the rows' locks (PostgreSQL; SQLite holds the database's write
lock), which a request recording a visit takes too, so two writers of one family's
flags never interleave.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask

from homelog.core.signals import agreement_revised, event_recorded, visit_recorded
from homelog.core.time import utcnow
from homelog.engine.facts import amended_visits, family_facts
from homelog.engine.flag_store import Outcome, active_flags, apply_plans
from homelog.engine.parameters import analysis_parameters
from homelog.engine.state import Claim, EngineState, mark_changed, record_analysed
from homelog.engine.steps import analysis
from homelog.engine.steps.analysis import FamilyFacts, Finding, FlagKind, Parameters
from homelog.engine.steps.plan import Plan, StoredFlag, plan_reconcile
from homelog.extensions import db

log = logging.getLogger(__name__)


def reconcile(family_id: int, findings: Iterable[Finding], as_of: dt.datetime,
              now: dt.datetime, *, close_missing: bool = True,
              amended: dict[int, int] | None = None) -> Outcome:
    """Read the family's flags and bring them in line with `findings` (flushes only)."""
    active = active_flags([family_id]).get(family_id, {})
    plan = plan_reconcile(family_id, active, findings, amended=amended,
                          close_missing=close_missing)
    return apply_plans([plan], as_of, now)[family_id]


# --- when to look again ----------------------------------------------------------------------

def look_again_at(facts: FamilyFacts, due: dt.datetime | None, recheck: dt.timedelta,
                  as_of: dt.datetime) -> dt.datetime:
    """When the family should next be analysed even if nothing new is recorded.

    `due` is when a time-based finding next comes true (analysis.next_due, the one
    place that says it); a visit already recorded for a later time is analysed at its
    time. Some changes send no news (a core group joined, a new rubric), so each family
    is also re-analysed at least every `recheck` (a parameter, default a day).
    """
    later = [visit.visited_at for visit in facts.visits if visit.visited_at > as_of]
    return min([as_of + recheck, *([due] if due is not None else []), *later])


def recheck_interval(values: dict[str, Any]) -> dt.timedelta:
    """How long a family goes unanalysed at most (the recheck_hours parameter)."""
    return dt.timedelta(hours=values["recheck_hours"])


# --- one family, as the job loop runs it -----------------------------------------------------

@dataclass
class Prepared:
    """A family analysed in memory, waiting to be written."""

    family_id: int
    version: int
    plan: Plan
    due: dt.datetime
    skipped: str | None = None


def prepare(facts: FamilyFacts, state: EngineState, active: dict[str, StoredFlag],
            amended: dict[int, int] | None, params: Parameters, recheck: dt.timedelta,
            as_of: dt.datetime, *, closed: set[str] | None = None) -> Prepared:
    """Analyse one family and plan its flags, in memory (see the job loop in jobs.py)."""
    if state.analysed_as_of is not None and state.analysed_as_of > as_of:
        return Prepared(facts.family_id, state.version, Plan(facts.family_id), as_of,
                        skipped=f"already analysed as of {state.analysed_as_of.isoformat()}")
    findings, due = analysis.analyse_until_due(facts, params, as_of)
    plan = plan_reconcile(facts.family_id, active, findings, amended=amended,
                          domains=facts.domain_names)
    plan.closed_keys = closed
    plan.domain_names = facts.domain_names
    return Prepared(facts.family_id, state.version, plan,
                    look_again_at(facts, due, recheck, as_of))


RECORDED_MEANWHILE = ("something was recorded for it during the run; it is analysed "
                      "again next time")


def write_families(prepared: Sequence[Prepared], as_of: dt.datetime, now: dt.datetime,
                   members: dict[int, list[tuple[int, str]]] | None = None,
                   ) -> dict[int, Outcome]:
    """Write a batch of prepared families: their engine rows first (the re-check and the
    locks), then the flags, inbox entries and queued emails of those that passed, a few
    statements for the whole batch. Flushes; the job loop commits, once per batch.

    Returns each family's outcome, in the order given; a family whose row fails the
    re-check is skipped and nothing of its analysis is written.
    """
    ready = [family for family in prepared if not family.skipped]
    marked = record_analysed([Claim(family.family_id, family.version, family.due)
                              for family in ready], as_of)
    written = apply_plans([family.plan for family in ready
                           if family.family_id in marked and family.plan.changes],
                          as_of, now, members)
    outcomes = {}
    for family in prepared:
        if family.skipped or family.family_id not in marked:
            outcomes[family.family_id] = Outcome(skipped=family.skipped or RECORDED_MEANWHILE)
        else:
            outcomes[family.family_id] = written.get(family.family_id) or Outcome()
    return outcomes


# --- immediate concerns, inside the submitting request ---------------------------------------

def raise_immediate_concerns(family_id: int, visit_id: int, visited_at: dt.datetime,
                             now: dt.datetime) -> Outcome:
    """Open the immediate-concern flags a just-recorded visit raises, in its own request.

    Only findings of kind immediate_concern that cite this visit are applied, and nothing
    is closed: the next engine run (the family is marked changed) does the rest. Call
    after mark_changed, which holds the family's engine row for the transaction.
    """
    # A closed family is not analysed (only open ones are picked for runs), but an
    # immediate concern is never held back: a visit made before the closure and synced
    # after it still reaches the core group at once.
    facts = family_facts(family_id)
    if facts is None:
        return Outcome(skipped="no such family")
    as_of = max(now, visited_at)
    findings = [finding for finding in analysis.analyse(facts, analysis_parameters(), as_of)
                if finding.kind == FlagKind.IMMEDIATE_CONCERN
                and visit_id in finding.evidence_visit_ids]
    amended = amended_visits([family_id]).get(family_id)
    return reconcile(family_id, findings, as_of, now, close_missing=False, amended=amended)


def _on_visit_recorded(app: Flask, visit: Any, **_: Any) -> None:
    now = utcnow()
    mark_changed(visit.family_id, now)
    if not visit.concerns:
        return
    try:
        # A savepoint: whatever goes wrong here, the visit itself must still be recorded.
        with db.session.begin_nested():
            raise_immediate_concerns(visit.family_id, visit.id, visit.visited_at, now)
    except Exception:
        log.exception("immediate-concern flags for visit %s not raised in the request; "
                      "the next engine run will raise them", visit.id)


def _on_event_recorded(app: Flask, event: Any, **_: Any) -> None:
    mark_changed(event.family_id, utcnow())


def _on_agreement_revised(app: Flask, family: Any, **_: Any) -> None:
    mark_changed(family.id, utcnow())


def init_engine(app: Flask) -> None:
    """Listen for news from visits and rubric (they never import the engine)."""
    visit_recorded.connect(_on_visit_recorded, sender=app, weak=False)
    event_recorded.connect(_on_event_recorded, sender=app, weak=False)
    agreement_revised.connect(_on_agreement_revised, sender=app, weak=False)

