"""The flags as stored: read a batch of families' flags before the engine's steps, and
write what the last step planned after them (engine/steps/plan.py), with the news of it.

Services flush; the caller (a request, or the job loop, once per batch of families)
commits. Closing and refreshing touch only flags still open or acknowledged, so a response
recorded meanwhile is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, insert, select, text, tuple_, update

from homelog.engine.models import ACTIVE_STATES, Flag, FlagState
from homelog.engine.parameters import analysis_parameters
from homelog.engine.signals import OpenedFlag, concerns_changed, flags_opened
from homelog.engine.steps.analysis import Finding, FlagKind, Severity
from homelog.engine.steps.concerns import SEVERITY_RANK
from homelog.engine.steps.news import concern_news
from homelog.engine.steps.plan import (
    CLOSED_BY_PERSON,
    ENGINE_FIELDS,
    NO_LONGER_TRUE,
    Plan,
    StoredFlag,
    flag_values,
)
from homelog.extensions import db

_FLAG = Flag.__table__


_ACTIVE = (
    select(_FLAG.c.family_id, _FLAG.c.id, _FLAG.c.key,
           *[_FLAG.c[name] for name in ENGINE_FIELDS])
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
            **{name: bindparam(f"b_{name}") for name in ENGINE_FIELDS})
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
            rows.append({"family_id": plan.family_id, "key": finding.key, **flag_values(finding),
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
             **{f"b_{name}": value for name, value in flag_values(finding).items()}}
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
    """Send what each engine-run family's concerns became (engine/steps/news.py) upward."""
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
