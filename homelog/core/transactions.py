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
        write_intent.set(request.method not in _SAFE_METHODS)

    @app.after_request
    def _finish(response: Response) -> Response:
        writes = g.pop("homelog_writes_at_commit", [])
        kept = g.pop("homelog_kept_writes", [])
        if response.status_code >= 400:
            db.session.rollback()
            writes = []
        elif not write_intent.get() and (writes or kept):
            db.session.commit()  # end the read transaction before taking the write lock
        if writes or kept:
            write_intent.set(True)
            _run(writes + kept)
        db.session.commit()
        return response
