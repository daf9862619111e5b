"""Where transactions begin and end: the request boundary is the one place that commits.

Reads are cheap to run side by side, writes are not (SQLite has one writer at a time,
and the audit chain has one head). So a request that only reads (GET) runs its queries
without taking any write lock and leaves its few writes — the audit entry every read of
family data leaves, a session's last-seen time — to the boundary, where they run after
the response has been built. A request that changes things (POST, PUT, PATCH, DELETE)
takes the write lock up front (SQLite: BEGIN IMMEDIATE), so it can never fail halfway
with "database is locked"; its queued writes run in the same transaction, just before
the commit, so the audit chain's lock is held only for that moment. Outside a request
(commands, jobs) writes run at once.

A few busy endpoints that change things (recording a visit) are marked `reads_first`:
they read as a GET does, and call `begin_writes()` just before their first write, which
on SQLite ends the read transaction and takes the write lock for the short rest of the
request. A write attempted on SQLite before that is refused loudly (see core/db.py), so
the rule cannot be broken quietly. PostgreSQL refuses it too: a read request's
connection is read only until begin_writes() or the boundary's queued writes.

How reads run differs by database. SQLite: in a plain BEGIN transaction (one snapshot).
PostgreSQL: in autocommit (see configure_postgresql in core/db.py), since under READ
COMMITTED a transaction gives reads nothing more; begin_writes() ends autocommit, so
whatever a request writes after it commits together, at the boundary. The writes queued
by a request that never began writing (at_commit, keep_even_if_request_fails) are
bookkeeping, each one statement and complete by itself; on PostgreSQL each commits as
it runs.

If the queued writes fail, the request fails: nothing is shown that was not audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, Response, g, has_request_context, request

from homelog.core.db import allow_writes, end_autocommit
from homelog.core.pause_for_tests import pause_point
from homelog.extensions import db

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Whether the next transaction on this thread will write (SQLite: BEGIN IMMEDIATE).
write_intent: ContextVar[bool] = ContextVar("homelog_write_intent", default=True)


def reads_first(view_class: type) -> type:
    """Mark a MethodView whose requests read before they write (see the module docstring)."""
    view_class.reads_first = True  # type: ignore[attr-defined]
    return view_class


def begin_writes() -> None:
    """From here on this request writes, in one transaction committed at the boundary.

    SQLite: end the read transaction and take the write lock. PostgreSQL: end autocommit.
    """
    if write_intent.get():
        return
    write_intent.set(True)  # a transaction begun from now on is a writer's
    session = db.session()
    if not session.in_transaction():
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # Nothing written yet: end the read snapshot and take the write lock on the same
        # connection, inside what SQLAlchemy sees as one transaction (committing the
        # session and beginning anew costs a pool check-in and check-out on every request).
        connection.exec_driver_sql("COMMIT")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        connection.info["homelog_writing"] = True
    else:
        end_autocommit(connection)


@contextmanager
def reading() -> Iterator[None]:
    """A read-only transaction outside requests (a job's reads): on SQLite a plain BEGIN, so
    visits can be recorded meanwhile; on PostgreSQL autocommit, read only."""
    db.session.commit()
    token = write_intent.set(False)
    try:
        yield
        db.session.commit()
    finally:
        write_intent.reset(token)


def at_commit(write: Callable[[], None]) -> None:
    """Run `write` at the request boundary (see the module docstring); outside a request, now.

    In a request that never calls begin_writes(), `write` must be one statement, complete
    by itself: on PostgreSQL it commits on its own, apart from the other queued writes.
    """
    if has_request_context():
        g.setdefault("homelog_writes_at_commit", []).append(write)
    else:
        write()


def keep_even_if_request_fails(write: Callable[[], None]) -> None:
    """Like at_commit, but also kept when the request fails (e.g. ending a timed-out session).

    The request's own changes are rolled back when it fails; work registered here is
    done in a fresh transaction and committed, so it is never lost with them.
    """
    if has_request_context():
        g.setdefault("homelog_kept_writes", []).append(write)
    else:
        write()


def _before_boundary_writes() -> None:
    if write_intent.get():
        return  # the request's own transaction takes them
    if db.session.get_bind().dialect.name == "sqlite":
        begin_writes()  # the write lock is needed even for one statement
    else:
        # One-statement bookkeeping writes, each committed by itself (autocommit): the
        # connection stops being read only, nothing more.
        allow_writes(db.session.connection())


def _run(writes: list[Callable[[], None]]) -> None:
    for write in writes:
        write()


def init_transactions(app: Flask) -> None:
    """Declare each request's intent, and commit or roll back at its end."""

    @app.before_request
    def _declare_intent() -> None:
        view = app.view_functions.get(request.endpoint or "")
        reading_first = getattr(getattr(view, "view_class", None), "reads_first", False)
        write_intent.set(request.method not in _SAFE_METHODS and not reading_first)

    @app.teardown_request
    def _reset_intent(_error: BaseException | None) -> None:
        write_intent.set(True)  # work outside requests (commands, jobs, tests) writes at once

    @app.after_request
    def _finish(response: Response) -> Response:
        writes = g.pop("homelog_writes_at_commit", [])
        kept = g.pop("homelog_kept_writes", [])
        if response.status_code >= 400:
            db.session.rollback()
            writes = []
        if writes or kept:
            _before_boundary_writes()
            _run(writes + kept)
        pause_point("before_commit")  # tests only: a process killed with all but the commit
        db.session.commit()
        pause_point("after_commit")  # tests only: killed with the answer unsent
        return response
