"""Run the analysis against the database and keep each family's flags in step with it.

Reconciling findings with stored flags is idempotent: the same finding (same `key`)
still true leaves its flag as it is (evidence and wording refreshed); a finding no
longer true closes its flag, unless it is a safe-sleep flag, which only a person
closes; a finding true again after its flag closed opens a new occurrence linked to
the old one. Services flush; the caller (a request, or the job loop, once per batch of
families) commits, so a run killed halfway leaves every family either fully analysed or
untouched.

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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import (
    Integer,
    bindparam,
    column,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from homelog.core.db import UTCDateTime
from homelog.core.inserts import insert_missing
from homelog.core.signals import agreement_revised, event_recorded, visit_recorded
from homelog.core.time import utcnow
from homelog.engine import analysis
from homelog.engine.analysis import FamilyFacts, Finding, FlagKind, Parameters, Severity
from homelog.engine.concerns import SEVERITY_RANK
from homelog.engine.facts import amended_visits, family_facts
from homelog.engine.models import ACTIVE_STATES, FamilyEngineState, Flag, FlagState
from homelog.engine.news import concern_news
from homelog.engine.parameters import analysis_parameters
from homelog.engine.signals import OpenedFlag, concerns_changed, flags_opened
from homelog.extensions import db
from homelog.families.models import Family

log = logging.getLogger(__name__)

CLOSED_BY_PERSON = "closed_by_person"
NO_LONGER_TRUE = "no_longer_true"
_STATE = FamilyEngineState.__table__
_FLAG = Flag.__table__


# --- what changed since the last run ---------------------------------------------------------

def _mark_changed_statement(dialect_insert: Any) -> Any:
    statement = dialect_insert(_STATE).values(family_id=bindparam("family_id"), version=1,
                                              changed_at=bindparam("now"), analysed_version=-1)
    return statement.on_conflict_do_update(
        index_elements=[_STATE.c.family_id],
        set_={"version": _STATE.c.version + 1, "changed_at": statement.excluded.changed_at},
    )


# Every visit recorded runs this: built once per database, not once per visit.
_MARK_CHANGED = {"postgresql": _mark_changed_statement(pg_insert),
                 "sqlite": _mark_changed_statement(sqlite_insert)}


def mark_changed(family_id: int, now: dt.datetime) -> None:
    """Note that a family has something new (a visit, an event, an agreement revision).

    Runs in the recording request's transaction, so the note and the change commit
    together; the next engine run re-analyses the family.
    """
    connection = db.session.connection()
    connection.execute(_MARK_CHANGED[connection.dialect.name],
                       {"family_id": family_id, "now": now})


def ensure_states(family_ids: Sequence[int]) -> None:
    """Give each family an engine row (never analysed) if it has none yet."""
    insert_missing(_STATE, [{"family_id": family_id, "version": 0, "analysed_version": -1}
                            for family_id in family_ids], ("family_id",))


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


@dataclass(frozen=True)
class EngineState:
    version: int = 0
    analysed_version: int = -1
    analysed_as_of: dt.datetime | None = None


def engine_states(family_ids: Sequence[int]) -> dict[int, EngineState]:
    """Each family's engine row (read BEFORE its facts, so nothing newer is missed)."""
    rows = db.session.execute(
        select(_STATE.c.family_id, _STATE.c.version, _STATE.c.analysed_version,
               _STATE.c.analysed_as_of)
        .where(_STATE.c.family_id.in_(list(family_ids))))
    return {row[0]: EngineState(*row[1:]) for row in rows}


@dataclass(frozen=True)
class Claim:
    """A family a run has analysed: the engine-row version it read, and when to look again."""

    family_id: int
    version: int
    due: dt.datetime


def record_analysed(claims: Sequence[Claim], as_of: dt.datetime) -> set[int]:
    """Mark families analysed as of `as_of`, in one statement; returns those marked.

    A family is marked only if nothing was recorded since its `version` was read and no
    run has analysed a later instant; the others are left as they are (still due), and
    their findings must not be written. Marking takes the rows' locks until commit.
    """
    if not claims:
        return set()
    read = values(column("family_id", Integer), column("version", Integer),
                  column("due", UTCDateTime()), name="claimed").data(
        [(claim.family_id, claim.version, claim.due) for claim in claims]).cte("claimed")
    statement = (
        update(_STATE)
        .where(_STATE.c.family_id == read.c.family_id, _STATE.c.version == read.c.version,
               _STATE.c.analysed_version <= read.c.version,
               or_(_STATE.c.analysed_as_of.is_(None), _STATE.c.analysed_as_of <= as_of))
        .values(analysed_version=read.c.version, analysed_as_of=as_of,
                next_due_at=read.c.due)
        .returning(_STATE.c.family_id)
    )
    return set(db.session.execute(statement).scalars())


# --- the flags as stored ---------------------------------------------------------------------

@dataclass(frozen=True)
class StoredFlag:
    """An open or acknowledged flag as read from the database."""

    id: int
    key: str
    kind: str
    severity: str
    domains: list[str]
    evidence_visit_ids: list[int]
    agency_ids: list[int]
    became_true_at: dt.datetime
    explanation: str
    safe_sleep: bool
    phrase: str


_ENGINE_FIELDS = ("kind", "severity", "domains", "evidence_visit_ids", "agency_ids",
                  "became_true_at", "explanation", "safe_sleep", "phrase")
_ACTIVE = (
    select(_FLAG.c.family_id, _FLAG.c.id, _FLAG.c.key,
           *[_FLAG.c[name] for name in _ENGINE_FIELDS])
    .where(_FLAG.c.family_id.in_(bindparam("family_ids", expanding=True)),
           _FLAG.c.state.in_(ACTIVE_STATES))
    .order_by(_FLAG.c.id)
)


def active_flags(family_ids: Sequence[int]) -> dict[int, dict[str, StoredFlag]]:
    """Per family, its open and acknowledged flags by key."""
    flags: dict[int, dict[str, StoredFlag]] = {}
    if family_ids:
        for row in db.session.execute(_ACTIVE, {"family_ids": list(family_ids)}):
            flags.setdefault(row[0], {})[row.key] = StoredFlag(*row[1:])
    return flags


_CLOSED_KEYS = (
    select(_FLAG.c.family_id, _FLAG.c.key)
    .where(_FLAG.c.family_id.in_(bindparam("family_ids", expanding=True)),
           _FLAG.c.state == FlagState.CLOSED.value)
    .distinct()
)


def closed_keys(family_ids: Sequence[int]) -> dict[int, set[str]]:
    """Per family, the keys of its closed flags (only those can come back as a new
    occurrence, so a flag with any other key is opened without looking for one)."""
    keys: dict[int, set[str]] = {family_id: set() for family_id in family_ids}
    if family_ids:
        for family_id, key in db.session.execute(_CLOSED_KEYS,
                                                 {"family_ids": list(family_ids)}):
            keys[family_id].add(key)
    return keys


def _values(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "domains": list(finding.domains),
        "evidence_visit_ids": list(finding.evidence_visit_ids),
        "agency_ids": list(finding.agency_ids),
        "became_true_at": finding.became_true_at,
        "explanation": finding.explanation,
        "safe_sleep": finding.safe_sleep,
        "phrase": finding.phrase,
    }


# --- reconciling: first what to change (no database), then the change ------------------------

@dataclass
class Plan:
    """What reconciling one family's findings with its stored flags will change."""

    family_id: int
    to_open: list[Finding] = field(default_factory=list)
    closed_keys: set[str] | None = None  # keys of the family's closed flags, if known
    findings: list[Finding] = field(default_factory=list)  # every finding true now
    # The rubric's domain names, set by an engine run: its changes are news for the core
    # group (engine/news.py). A request raising immediate concerns leaves it empty.
    domain_names: Mapping[str, str] = field(default_factory=dict)
    to_update: list[tuple[StoredFlag, str, Finding]] = field(default_factory=list)
    to_close: list[StoredFlag] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.to_open or self.to_update or self.to_close)


def _follow_amendments(active: dict[str, StoredFlag], wanted: dict[str, Finding],
                       amended: dict[int, int]) -> dict[str, str]:
    """Old key -> new key for flags raised from a visit that has since been amended (keys
    name visits), so the amendment neither repeats the alert nor loses the response."""
    rekeyed: dict[str, str] = {}
    if not amended:
        return rekeyed
    for key, flag in active.items():
        if key in wanted or not any(visit_id in amended for visit_id in flag.evidence_visit_ids):
            continue
        now_cites = tuple(amended.get(visit_id, visit_id) for visit_id in flag.evidence_visit_ids)
        for new_key, finding in wanted.items():
            if (new_key not in active and new_key not in rekeyed.values()
                    and finding.kind.value == flag.kind
                    and finding.evidence_visit_ids == now_cites):
                rekeyed[key] = new_key
                break
    return rekeyed


def _follow_renamed_domains(active: dict[str, StoredFlag], wanted: dict[str, Finding],
                            rekeyed: dict[str, str], domains: Collection[str]) -> None:
    """Old key -> new key for flags about a domain the rubric in force no longer has
    (renamed or split: rubric/mapping.py) whose finding carries on under the new domain:
    same kind, same start, citing the flag's visits. The flag goes on (its response kept)
    rather than closing and alerting the core group again. A split's second domain opens
    its own flag."""
    for key, flag in active.items():
        if (key in wanted or key in rekeyed or not flag.domains
                or all(domain in domains for domain in flag.domains)):
            continue
        for new_key, finding in wanted.items():
            if (new_key not in active and new_key not in rekeyed.values()
                    and finding.kind.value == flag.kind
                    and finding.became_true_at == flag.became_true_at
                    and set(flag.evidence_visit_ids) <= set(finding.evidence_visit_ids)):
                rekeyed[key] = new_key
                break


def plan_reconcile(
    family_id: int,
    active: dict[str, StoredFlag],
    findings: Iterable[Finding],
    *,
    amended: dict[int, int] | None = None,
    close_missing: bool = True,
    domains: Collection[str] | None = None,
) -> Plan:
    """Decide, without touching the database, how `findings` change the family's flags.

    A finding whose key has an open or acknowledged flag refreshes it; the same key with
    a later `became_true_at` is a new occurrence (the old one stopped being true between
    runs): the old flag closes and a linked one opens. `close_missing=False` only adds and
    refreshes (a request raising immediate concerns does not know every finding).
    """
    plan = Plan(family_id)
    wanted: dict[str, Finding] = {}
    for finding in findings:
        wanted.setdefault(finding.key, finding)
    plan.findings = list(wanted.values())
    rekeyed = _follow_amendments(active, wanted, amended or {})
    if domains is not None:  # the rubric's domains in force (an engine run knows them)
        _follow_renamed_domains(active, wanted, rekeyed, domains)
    by_key = {rekeyed.get(key, key): flag for key, flag in active.items()}
    for key, finding in wanted.items():
        flag = by_key.pop(key, None)
        if (flag is not None and not flag.safe_sleep and finding.kind.value == flag.kind
                and finding.became_true_at > flag.became_true_at):
            plan.to_close.append(flag)
            flag = None
        if flag is None:
            plan.to_open.append(finding)
            continue
        values = _values(finding)
        if flag.key != key or any(getattr(flag, name) != values[name]
                                  for name in _ENGINE_FIELDS):
            plan.to_update.append((flag, key, finding))
    if close_missing:
        # A safe-sleep flag never closes by itself: a person decides (see flags.acknowledge).
        plan.to_close += [flag for flag in by_key.values() if not flag.safe_sleep]
    return plan


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


# (state != closed, not IN: an IN list cannot be sent as one statement for many rows)
_CLOSE = (
    update(_FLAG)
    .where(_FLAG.c.id == bindparam("b_id"), _FLAG.c.state != FlagState.CLOSED.value)
    .values(state=FlagState.CLOSED.value, closed_at=bindparam("b_at"),
            close_reason=NO_LONGER_TRUE)
)
_REFRESH = (
    update(_FLAG)
    .where(_FLAG.c.id == bindparam("b_id"), _FLAG.c.state != FlagState.CLOSED.value)
    .values(key=bindparam("b_key"),
            **{name: bindparam(f"b_{name}") for name in _ENGINE_FIELDS})
)
# Built once: the statement objects (and their cache keys) are not rebuilt for every batch.
_INSERT_FLAGS = insert(_FLAG)
_INSERT_FLAGS_RETURNING = insert(_FLAG).returning(_FLAG.c.family_id, _FLAG.c.key, _FLAG.c.id)
_NEXT_FLAG_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('flag', 'id')) FROM generate_series(1, :n)")
_PREVIOUS = (
    select(_FLAG.c.family_id, _FLAG.c.key, _FLAG.c.id, _FLAG.c.occurrence,
           _FLAG.c.close_reason, _FLAG.c.became_true_at)
    .where(tuple_(_FLAG.c.family_id, _FLAG.c.key).in_(bindparam("pairs", expanding=True)),
           _FLAG.c.state == FlagState.CLOSED.value)
    .order_by(_FLAG.c.occurrence)
)


def _may_come_back(plan: Plan) -> list[str]:
    """Keys of the plan's new flags that may have an earlier, closed occurrence."""
    closing = {flag.key for flag in plan.to_close}
    return [finding.key for finding in plan.to_open
            if plan.closed_keys is None or finding.key in plan.closed_keys
            or finding.key in closing]


def _open(plans: list[Plan], as_of: dt.datetime, now: dt.datetime,
          outcomes: dict[int, Outcome], members: dict[int, list[tuple[int, str]]] | None
          ) -> set[tuple[int, str]]:
    """Open the plans' new flags and send the news of them; returns (family, key) of each."""
    pairs = [(plan.family_id, key) for plan in plans for key in _may_come_back(plan)]
    previous = {} if not pairs else {
        (row.family_id, row.key): row
        for row in db.session.execute(_PREVIOUS, {"pairs": pairs})}  # latest wins
    rows = []
    for plan in plans:
        for finding in plan.to_open:
            before = previous.get((plan.family_id, finding.key))
            if (before is not None and before.close_reason == CLOSED_BY_PERSON
                    and before.became_true_at == finding.became_true_at):
                continue  # a person closed this very occurrence; only a new one opens a flag
            rows.append({"family_id": plan.family_id, "key": finding.key, **_values(finding),
                         "state": FlagState.OPEN.value,
                         "occurrence": before.occurrence + 1 if before else 1,
                         "previous_id": before.id if before else None,
                         "raised_at": as_of, "created_at": now})
    if not rows:
        return set()
    ids = _insert_flags(rows)
    opened = [OpenedFlag(ids[(row["family_id"], row["key"])], row["family_id"],
                         row["severity"], row["previous_id"]) for row in rows]
    for flag in opened:
        outcome = outcomes[flag.family_id]
        (outcome.reopened if flag.previous_id else outcome.opened).append(flag.id)
    if members is not None:
        members = {flag.family_id: members.get(flag.family_id, []) for flag in opened}
    flags_opened.send(current_app._get_current_object(), flags=opened, now=now,
                      members=members)
    return set(ids)


def _insert_flags(rows: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """Insert new flags; returns their ids by (family, key), unique among new flags."""
    if len(rows) > 1 and db.session.get_bind().dialect.name == "postgresql":
        # Ids from the sequence first, then the rows as a plain executemany (one pipeline
        # of a small statement): a multi-row INSERT ... RETURNING has thousands of
        # placeholders, which cost psycopg more to prepare than the rows cost to insert
        # (100 flags: 39 -> 24 ms; 1,500: 1.0 -> 0.34 s).
        flag_ids = db.session.execute(_NEXT_FLAG_IDS, {"n": len(rows)}).scalars().all()
        for row, flag_id in zip(rows, flag_ids, strict=True):
            row["id"] = flag_id
        db.session.execute(_INSERT_FLAGS, rows)
        return {(row["family_id"], row["key"]): row["id"] for row in rows}
    # One multi-row INSERT (SQLite binds its parameters natively); a single row goes as a
    # plain INSERT, without the multi-row batching. Ids matched by (family, key), whatever
    # order the database returns the rows in.
    result = db.session.execute(_INSERT_FLAGS_RETURNING, rows[0] if len(rows) == 1 else rows)
    return {(family_id, key): flag_id for family_id, key, flag_id in result}


def apply_plans(plans: Sequence[Plan], as_of: dt.datetime, now: dt.datetime,
                members: dict[int, list[tuple[int, str]]] | None = None) -> dict[int, Outcome]:
    """Write what `plan_reconcile` decided for one or many families, with one statement per
    kind of change for them all; flushes only (the caller commits).

    Closing and refreshing touch only flags still open or acknowledged, so a response
    recorded meanwhile is never overwritten. `members` (each family's active core group,
    if already read) is passed on with the news of opened flags.
    """
    outcomes = {plan.family_id: Outcome() for plan in plans}
    closing = [(plan.family_id, flag) for plan in plans for flag in plan.to_close]
    if closing:  # first: a new occurrence may take the key
        db.session.execute(_CLOSE, [{"b_id": flag.id, "b_at": as_of} for _, flag in closing])
        for family_id, flag in closing:
            outcomes[family_id].closed.append(flag.id)
    refreshing = [(plan.family_id, change) for plan in plans for change in plan.to_update]
    if refreshing:
        db.session.execute(_REFRESH, [
            {"b_id": flag.id, "b_key": key,
             **{f"b_{name}": value for name, value in _values(finding).items()}}
            for _, (flag, key, finding) in refreshing])
        for family_id, (flag, _, _) in refreshing:
            outcomes[family_id].updated.append(flag.id)
    opening = [plan for plan in plans if plan.to_open]
    opened = _open(opening, as_of, now, outcomes, members) if opening else set()
    _tell_news(plans, opened, as_of, now, members)
    return outcomes


def _answered_lately(family_ids: list[int], as_of: dt.datetime) -> dict[int, list[Finding]]:
    """Per family, the flags the core group responded to that closed within the engine's
    window (the crossings window): a concern coming back is measured against them."""
    if not family_ids:
        return {}
    since = as_of - dt.timedelta(days=analysis_parameters().crossings_window_days)
    answered: dict[int, list[Finding]] = {}
    for flag in db.session.execute(select(Flag).where(
            Flag.family_id.in_(family_ids), Flag.state == FlagState.CLOSED.value,
            Flag.acknowledged_at.is_not(None), Flag.closed_at >= since)).scalars():
        answered.setdefault(flag.family_id, []).append(finding_of(flag))
    return answered


def _tell_news(plans: Sequence[Plan], opened: set[tuple[int, str]], as_of: dt.datetime,
               now: dt.datetime, members: dict[int, list[tuple[int, str]]] | None) -> None:
    """Send what each engine-run family's concerns became (engine/news.py) upward."""
    news = {}
    telling = [plan for plan in plans if plan.domain_names and plan.changes]
    answered = _answered_lately([plan.family_id for plan in telling if plan.to_open], as_of)
    for plan in telling:
        opened_keys = {key for family_id, key in opened if family_id == plan.family_id}
        worsened = {key for flag, key, finding in plan.to_update
                    if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[Severity(flag.severity)]}
        ended = [finding_of(flag) for flag in plan.to_close if flag.key not in opened_keys]
        items = concern_news(plan.findings, opened_keys, worsened, ended, plan.domain_names,
                             answered.get(plan.family_id, ()))
        if items:
            news[plan.family_id] = items
    if news:
        told = None if members is None else {family_id: members.get(family_id, [])
                                              for family_id in news}
        concerns_changed.send(current_app._get_current_object(), news=news, now=now,
                              members=told)


def finding_of(flag: StoredFlag | Flag) -> Finding:
    """The finding a stored flag holds."""
    return Finding(kind=FlagKind(flag.kind), severity=Severity(flag.severity), key=flag.key,
                   domains=tuple(flag.domains), evidence_visit_ids=tuple(flag.evidence_visit_ids),
                   became_true_at=flag.became_true_at, explanation=flag.explanation,
                   safe_sleep=flag.safe_sleep, agency_ids=tuple(flag.agency_ids),
                   phrase=flag.phrase)


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

