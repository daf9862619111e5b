"""Sign-in throttling: guessing is slowed per account and per network address.

Wrong sign-ins (a wrong password, or a wrong or used second-factor code after the right
password) are counted over a sliding window (HOMELOG_SIGN_IN_WINDOW_MINUTES):
* per account *and* address: after HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT failures, that
  account is refused from that address until the window has moved past them. Someone
  guessing a colleague's password from elsewhere therefore cannot lock the colleague out
  (no lockout denial of service); the colleague's own attempts count separately.
* per address: after HOMELOG_SIGN_IN_FAILURES_PER_ADDRESS failures, whatever the accounts,
  that address is refused the same way (password spraying, credential stuffing).

A refused attempt is answered 429 with Retry-After, before any password is checked (so
it costs no hashing time) and is not itself counted, so a block always ends with its
window. A whole sign-in (the password, and the code where one is needed) clears that
account's failures from that address. Behind a reverse proxy, HOMELOG_TRUSTED_PROXIES
says how many hops' X-Forwarded-For to believe.
"""

from __future__ import annotations

import datetime as dt
import math

from flask import current_app, request
from sqlalchemy import delete, func, insert, select

from homelog.accounts.models import SignInFailure
from homelog.core.errors import ApiError
from homelog.core.time import utcnow
from homelog.core.transactions import keep_even_if_request_fails
from homelog.extensions import db

_KEPT = dt.timedelta(days=1)  # failures older than this are deleted as new ones arrive


def client_address() -> str:
    """The network address the request comes from (as trusted proxies report it)."""
    return (request.remote_addr or "unknown")[:64]


def _account(email: str) -> str:
    return email.strip().lower()[:254]


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["HOMELOG_SIGN_IN_WINDOW_MINUTES"])


# Requests for a link to reset a password are counted in the same table, under this prefix,
# and apart from sign-ins: asking for links does not use up an address's sign-ins.
RESET_PREFIX = "reset:"


def check_sign_in_allowed(email: str) -> None:
    """Refuse (429, with Retry-After) a sign-in from an address or for an account that has
    failed too often lately; call before checking the password. (For an `email` starting
    with RESET_PREFIX: requests for reset links, counted apart from sign-ins.)"""
    config = current_app.config
    since = utcnow() - _window()
    address = client_address()
    resets = SignInFailure.account.startswith(RESET_PREFIX, autoescape=True)
    recent = select(func.count(), func.min(SignInFailure.at)).where(
        SignInFailure.at > since, SignInFailure.address == address,
        resets if _account(email).startswith(RESET_PREFIX) else ~resets)
    per_address = db.session.execute(recent).one()
    per_account = db.session.execute(
        recent.where(SignInFailure.account == _account(email))).one()
    for (count, oldest), limit in ((per_account, config["HOMELOG_SIGN_IN_FAILURES_PER_ACCOUNT"]),
                                   (per_address, config["HOMELOG_SIGN_IN_FAILURES_PER_ADDRESS"])):
        if count >= limit:
            _refuse(oldest + _window() - utcnow())


def _refuse(wait: dt.timedelta) -> None:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    raise ApiError(429, "too_many_attempts",
                   f"Too many wrong sign-ins. Please wait {minutes} minute"
                   f"{'s' if minutes > 1 else ''} and try again.",
                   headers={"Retry-After": str(max(1, math.ceil(wait.total_seconds())))})


def record_sign_in_failure(email: str) -> None:
    """Count a wrong sign-in; kept although the request that saw it fails."""
    now = utcnow()
    row = {"at": now, "account": _account(email), "address": client_address()}

    def write() -> None:
        db.session.execute(insert(SignInFailure).values(**row))
        db.session.execute(delete(SignInFailure).where(SignInFailure.at < now - _KEPT))

    keep_even_if_request_fails(write)


def clear_sign_in_failures(email: str) -> None:
    """A whole sign-in: that account's failures from this address no longer count."""
    db.session.execute(delete(SignInFailure).where(
        SignInFailure.account == _account(email), SignInFailure.address == client_address()))
