"""Where transactions begin and end: the request boundary is the one place that commits.

Reads are cheap to run side by side, writes are not (SQLite has one writer at a time,
and the audit chain has one head). So a request that only reads (GET) runs its queries
in an ordinary transaction and leaves its few writes — the audit entry every read of
family data leaves, a session's last-seen time — to the boundary, where they run in a
short write transaction after the response has been built. A request that changes
things (POST, PUT, PATCH, DELETE) takes the write lock up front (SQLite: BEGIN
IMMEDIATE), so it can never fail halfway with "database is locked"; its queued writes
run in the same transaction, just before the commit, so the audit chain's lock is held
only for that moment. Outside a request (commands, jobs) writes run at once.

A few busy endpoints that change things (recording a visit) are marked `reads_first`:
they read in an ordinary transaction too, and call `begin_writes()` just before their
first write, which on SQLite ends the read transaction and takes the write lock for
the short rest of the request. A write attempted on SQLite before that is refused
loudly (see core/db.py), so the rule cannot be broken quietly.

If the queued writes fail, the request fails: nothing is shown that was not audited.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from flask import Flask, Response, g, has_request_context, request

from homelog.extensions import db

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Whether the next transaction on this thread will write (SQLite: BEGIN IMMEDIATE).
write_intent: ContextVar[bool] = ContextVar("homelog_write_intent", default=True)


def reads_first(view_class: type) -> type:
    """Mark a MethodView whose requests read before they write (see the module docstring)."""
    view_class.reads_first = True  # type: ignore[attr-defined]
    return view_class


def begin_writes() -> None:
    """From here on this request writes: on SQLite, end the read transaction, take the lock."""
    if write_intent.get():
        return
    session = db.session()
    if session.get_bind().dialect.name == "sqlite" and session.in_transaction():
        # Nothing written yet: end the read snapshot and take the write lock on the same
        # connection, inside what SQLAlchemy sees as one transaction (committing the
        # session and beginning anew costs a pool check-in and check-out on every request).
        connection = session.connection()
        connection.exec_driver_sql("COMMIT")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        connection.info["homelog_writing"] = True
    write_intent.set(True)


def at_commit(write: Callable[[], None]) -> None:
    """Run `write` at the request boundary (see the module docstring); outside a request, now."""
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
            begin_writes()
            _run(writes + kept)
        db.session.commit()
        return response
