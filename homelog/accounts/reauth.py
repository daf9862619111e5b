"""Recent sign-in: some actions (exporting a family's record) need the password to have been
given recently, not just a live session.

A session counts as recently signed in for HOMELOG_EXPORT_REAUTH_MINUTES after it started
or after its password was last confirmed (POST /api/v1/session/confirm). So a phone or
laptop left signed in cannot be used by someone else to carry a family's whole record away.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import bindparam, select, update

from homelog.accounts.models import User, UserSession
from homelog.accounts.passwords import verify_password
from homelog.accounts.services import LiveSession, actor_of, end_session
from homelog.accounts.throttle import client_address
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid
from homelog.core.time import utcnow
from homelog.core.transactions import keep_even_if_request_fails
from homelog.extensions import db

REAUTHENTICATION_REQUIRED = "reauthentication_required"

MAX_CONFIRM_FAILURES = 5
_CONFIRMED_AT = select(UserSession.confirmed_at).where(UserSession.id == bindparam("id"))
_FAILURES = select(UserSession.confirm_failures).where(UserSession.id == bindparam("id"))
log = logging.getLogger(__name__)


def recent_sign_in_window() -> dt.timedelta:
    """How recent a sign-in (or password confirmation) must be for an export."""
    return dt.timedelta(minutes=current_app.config["HOMELOG_EXPORT_REAUTH_MINUTES"])


def signed_in_at(session: LiveSession) -> dt.datetime:
    """When the password was last given in this session: at sign-in or a later confirmation."""
    confirmed = db.session.execute(_CONFIRMED_AT, {"id": session.id}).scalar()
    return max(session.created_at, confirmed) if confirmed else session.created_at


def require_recent_sign_in(session: LiveSession, now: dt.datetime | None = None) -> None:
    """Refuse (403, code `reauthentication_required`) unless the password was given recently."""
    now = now or utcnow()
    if now - signed_in_at(session) > recent_sign_in_window():
        raise ApiError(
            403, REAUTHENTICATION_REQUIRED,
            "For the family's protection, confirm your password before exporting their record.",
        )


def confirm_password(user: User, session: LiveSession, password: str) -> dt.datetime:
    """Check the signed-in user's password and stamp the session as recently signed in.

    A wrong password is a 422 naming the field and the session stays signed in, up to
    MAX_CONFIRM_FAILURES in a row: then the session ends (401), so a session left open
    cannot be used to guess the password. Both are recorded in the audit trail (a wrong
    one although its request fails; never the password).
    Returns when the recent sign-in ends.
    """
    if not verify_password(user.password_hash, password):
        failures = (db.session.execute(_FAILURES, {"id": session.id}).scalar() or 0) + 1
        ended = failures >= MAX_CONFIRM_FAILURES
        record(actor_of(user), "session.confirm_failed", basis="credentials", kept=True,
               detail={"failures": failures, "session_ended": ended,
                       "address": client_address()})
        if ended:
            log.warning("session %s of user %s ended after %s wrong passwords",
                        session.id, user.id, failures)
            keep_even_if_request_fails(lambda: end_session(session, "password_guessing"))
            raise ApiError(401, "signed_out", "Too many wrong passwords: you have been "
                                              "signed out. Please sign in again.")
        keep_even_if_request_fails(lambda: _set_failures(session.id, failures))
        raise invalid({"password": ["This is not your password."]},
                      "Your password was not recognised.")
    now = utcnow()
    db.session.execute(update(UserSession).where(UserSession.id == session.id)
                       .values(confirmed_at=now, confirm_failures=0))
    record(actor_of(user), "session.confirm", basis="credentials")
    return now + recent_sign_in_window()


def _set_failures(session_id: int, failures: int) -> None:
    db.session.execute(update(UserSession).where(UserSession.id == session_id)
                       .values(confirm_failures=failures))
