"""Run the analysis against the database and keep each family's flags in step with it.

Reconciling findings with stored flags is idempotent: the same finding (same `key`)
still true leaves its flag as it is (evidence and wording refreshed); a finding no
longer true closes its flag, unless it is a safe-sleep flag, which only a person
closes; a finding true again after its flag closed opens a new occurrence linked to
the old one. Services flush; the caller (a request, or the job loop, once per family)
commits, so a run killed halfway leaves every family either fully analysed or untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from homelog.core.signals import agreement_revised, event_recorded, visit_recorded
from homelog.core.time import utcnow
from homelog.engine import analysis
from homelog.engine.analysis import FamilyFacts, Finding, FlagKind, Parameters
from homelog.engine.facts import amended_visits, family_facts
from homelog.engine.models import ACTIVE_STATES, FamilyEngineState, Flag, FlagState
from homelog.engine.parameters import analysis_parameters, current_values
from homelog.engine.signals import flag_opened
from homelog.extensions import db
from homelog.families.models import Family

log = logging.getLogger(__name__)

CLOSED_BY_PERSON = "closed_by_person"
NO_LONGER_TRUE = "no_longer_true"


# --- what changed since the last run ---------------------------------------------------------

def _upsert(values: dict[str, Any]) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(FamilyEngineState).values(
        **values)


def mark_changed(family_id: int, now: dt.datetime) -> None:
    """Note that a family has something new (a visit, an event, an agreement revision).

    Runs in the recording request's transaction, so the note and the change commit
    together; the next engine run re-analyses the family.
    """
    statement = _upsert({"family_id": family_id, "version": 1, "changed_at": now,
                         "analysed_version": -1})
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[FamilyEngineState.family_id],
        set_={"version": FamilyEngineState.version + 1, "changed_at": now},
    ))


def _ensure_state(family_id: int) -> None:
    statement = _upsert({"family_id": family_id, "version": 0, "analysed_version": -1})
    db.session.execute(statement.on_conflict_do_nothing(
        index_elements=[FamilyEngineState.family_id]))


_STATE_FOR_UPDATE = (
    select(FamilyEngineState.version, FamilyEngineState.analysed_version,
           FamilyEngineState.analysed_as_of)
    .where(FamilyEngineState.family_id == bindparam("family_id"))
)


def _lock_state(family_id: int) -> Any:
    """The family's engine row, locked until commit (PostgreSQL; SQLite holds the write lock).

    Every writer of a family's flags takes this lock first (a request recording a visit
    takes it through mark_changed), so flag writers for one family never interleave.
    """
    _ensure_state(family_id)
    statement: Select[Any] = _STATE_FOR_UPDATE
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return db.session.execute(statement, {"family_id": family_id}).one()


def due_family_ids(as_of: dt.datetime) -> list[int]:
    """Open families with something new, a time-based rule due, or never analysed."""
    state = FamilyEngineState
    return list(db.session.execute(
        select(Family.id)
        .outerjoin(state, state.family_id == Family.id)
        .where(Family.status == "open")
        .where(or_(state.family_id.is_(None), state.version > state.analysed_version,
                   state.next_due_at <= as_of))
        .order_by(Family.id)
    ).scalars())


def open_family_ids(family_ids: Iterable[int] | None = None) -> list[int]:
    """Open families (all of them, or those of `family_ids` that exist and are open)."""
    query = select(Family.id).where(Family.status == "open").order_by(Family.id)
    if family_ids is not None:
        query = query.where(Family.id.in_(list(family_ids)))
    return list(db.session.execute(query).scalars())


def versions_of(family_ids: Sequence[int]) -> dict[int, int]:
    """Each family's change counter (read BEFORE its facts, so nothing newer is missed)."""
    return dict(db.session.execute(
        select(FamilyEngineState.family_id, FamilyEngineState.version)
        .where(FamilyEngineState.family_id.in_(list(family_ids)))
    ).all())


# --- reconciling findings with flags ---------------------------------------------------------

@dataclass
class Outcome:
    """What one family's reconciliation did."""

    opened: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.reopened or self.closed or self.updated)


_ENGINE_FIELDS = ("kind", "severity", "domains", "evidence_visit_ids", "agency_ids",
                  "became_true_at", "explanation", "safe_sleep")


def _engine_values(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "domains": list(finding.domains),
        "evidence_visit_ids": list(finding.evidence_visit_ids),
        "agency_ids": list(finding.agency_ids),
        "became_true_at": finding.became_true_at,
        "explanation": finding.explanation,
        "safe_sleep": finding.safe_sleep,
    }


_ACTIVE_FLAGS = (
    select(Flag)
    .where(Flag.family_id == bindparam("family_id"), Flag.state.in_(ACTIVE_STATES))
    .order_by(Flag.id)
)


def _latest_closed(family_id: int, key: str) -> Flag | None:
    return db.session.execute(
        select(Flag).where(Flag.family_id == family_id, Flag.key == key,
                           Flag.state == FlagState.CLOSED.value)
        .order_by(Flag.occurrence.desc()).limit(1)
    ).scalar_one_or_none()


def _open_flag(family_id: int, finding: Finding, as_of: dt.datetime, now: dt.datetime,
               outcome: Outcome) -> None:
    previous = _latest_closed(family_id, finding.key)
    if (previous is not None and previous.close_reason == CLOSED_BY_PERSON
            and previous.became_true_at == finding.became_true_at):
        return  # a person closed this very occurrence; only a new one opens a flag again
    flag = Flag(
        family_id=family_id, key=finding.key, **_engine_values(finding),
        state=FlagState.OPEN.value,
        occurrence=previous.occurrence + 1 if previous else 1,
        previous_id=previous.id if previous else None,
        raised_at=as_of, created_at=now,
    )
    db.session.add(flag)
    db.session.flush()
    (outcome.reopened if previous else outcome.opened).append(flag.id)
    flag_opened.send(current_app._get_current_object(), flag=flag, now=now)


def _close(flag: Flag, as_of: dt.datetime, outcome: Outcome) -> None:
    flag.state = FlagState.CLOSED.value
    flag.closed_at = as_of
    flag.close_reason = NO_LONGER_TRUE
    outcome.closed.append(flag.id)
    db.session.flush()  # before a new occurrence takes the key


def _follow_amendments(active: dict[str, Flag], findings: dict[str, Finding],
                       amended: dict[int, int]) -> None:
    """Give a flag raised from a visit that has since been amended the key its finding has
    now (keys name visits), so the amendment neither repeats the alert nor loses the response."""
    if not amended:
        return
    orphans = [flag for key, flag in active.items() if key not in findings
               and any(visit_id in amended for visit_id in flag.evidence_visit_ids)]
    for flag in orphans:
        now_cites = tuple(amended.get(visit_id, visit_id) for visit_id in flag.evidence_visit_ids)
        for key, finding in findings.items():
            if (key not in active and finding.kind.value == flag.kind
                    and finding.evidence_visit_ids == now_cites):
                del active[flag.key]
                flag.key = key
                active[key] = flag
                break


def reconcile(
    family_id: int,
    findings: Iterable[Finding],
    as_of: dt.datetime,
    now: dt.datetime,
    *,
    close_missing: bool = True,
    amended: dict[int, int] | None = None,
) -> Outcome:
    """Bring a family's flags in line with `findings` (call with the family's state locked).

    A finding whose key has an open or acknowledged flag refreshes it; the same key with
    a later `became_true_at` is a new occurrence (the old one stopped being true between
    runs): the old flag closes and a linked one opens. `close_missing=False` only adds and
    refreshes (a request raising immediate concerns does not know every finding).
    `amended` maps amended visit ids to the visit in force, so flags follow amendments.
    """
    outcome = Outcome()
    active = {flag.key: flag for flag in
              db.session.execute(_ACTIVE_FLAGS, {"family_id": family_id}).scalars()}
    wanted: dict[str, Finding] = {}
    for finding in findings:
        wanted.setdefault(finding.key, finding)
    _follow_amendments(active, wanted, amended or {})
    for key, finding in wanted.items():
        flag = active.pop(key, None)
        if (flag is not None and not flag.safe_sleep
                and finding.became_true_at > flag.became_true_at
                and finding.kind.value == flag.kind):
            _close(flag, as_of, outcome)
            flag = None
        if flag is None:
            _open_flag(family_id, finding, as_of, now, outcome)
            continue
        values = _engine_values(finding)
        if flag.key != key or any(getattr(flag, name) != values[name]
                                  for name in _ENGINE_FIELDS):
            for name in _ENGINE_FIELDS:
                setattr(flag, name, values[name])
            outcome.updated.append(flag.id)
    if close_missing:
        for flag in active.values():
            if not flag.safe_sleep:  # never closes by itself: a person decides
                _close(flag, as_of, outcome)
    db.session.flush()
    return outcome


def next_due(facts: FamilyFacts, params: Parameters, recheck: dt.timedelta,
             as_of: dt.datetime) -> dt.datetime:
    """When the family should next be analysed even if nothing new is recorded.

    The analysis says when its next time-based finding (a coverage gap) falls due; every
    other finding changes only with a visit, event or agreement (which mark the family
    changed). Some changes send no news (a core group joined, a new rubric), so each
    family is also re-analysed at least every `recheck` (a parameter, default a day).
    """
    due = analysis.next_due(facts, params, as_of)
    later = [visit.visited_at for visit in facts.visits if visit.visited_at > as_of]
    return min([as_of + recheck, *([due] if due and due > as_of else []), *later])


def analyse_family(
    facts: FamilyFacts,
    params: Parameters,
    recheck: dt.timedelta,
    as_of: dt.datetime,
    now: dt.datetime,
    version: int,
    amended: dict[int, int] | None = None,
) -> Outcome:
    """Analyse one family as of `as_of` and reconcile its flags; flushes, never commits.

    `version` is the family's change counter read before its facts were loaded. The
    family is skipped if another run already analysed newer facts, or a later instant
    (a replay goes forward in time only).
    """
    state = _lock_state(facts.family_id)
    if state.analysed_version > version:
        return Outcome(skipped="analysed since by another run")
    if state.analysed_as_of is not None and state.analysed_as_of > as_of:
        return Outcome(skipped=f"already analysed as of {state.analysed_as_of.isoformat()}")
    findings = analysis.analyse(facts, params, as_of)
    outcome = reconcile(facts.family_id, findings, as_of, now, amended=amended)
    db.session.execute(
        update(FamilyEngineState)
        .where(FamilyEngineState.family_id == facts.family_id)
        .values(analysed_version=func.max(FamilyEngineState.analysed_version, version)
                if db.session.get_bind().dialect.name == "sqlite"
                else func.greatest(FamilyEngineState.analysed_version, version),
                analysed_as_of=as_of,
                next_due_at=next_due(facts, params, recheck, as_of))
    )
    return outcome


def recheck_interval(values: dict[str, Any]) -> dt.timedelta:
    return dt.timedelta(hours=values["recheck_hours"])


# --- immediate concerns, inside the submitting request ---------------------------------------

def raise_immediate_concerns(family_id: int, visit_id: int, visited_at: dt.datetime,
                             now: dt.datetime) -> Outcome:
    """Open the immediate-concern flags a just-recorded visit raises, in its own request.

    Only findings of kind immediate_concern that cite this visit are applied, and nothing
    is closed: the next engine run (the family is marked changed) does the rest.
    """
    _lock_state(family_id)
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


__all__ = ["analyse_family", "current_values", "due_family_ids", "init_engine", "mark_changed",
           "raise_immediate_concerns", "reconcile"]
