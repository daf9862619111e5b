"""The engine's bookkeeping per family: what changed since it was last analysed, and when to
look again (the engine rows). The run reads it before its first step and writes it after
its last; a request recording a visit marks the family changed in its own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, column, or_, select, update, values
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from homelog.core.db import UTCDateTime
from homelog.core.inserts import insert_missing
from homelog.engine.models import FamilyEngineState
from homelog.extensions import db
from homelog.families.models import Family

_STATE = FamilyEngineState.__table__


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
