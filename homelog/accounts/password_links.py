"""Setting a password: changing your own, a forgotten one by an emailed link, and a new
account's first one. Nobody else ever sets or sees a working password.

A link holds a random token; only its SHA-256 is stored. It works once, until it expires
(HOMELOG_RESET_LINK_MINUTES for a forgotten password, HOMELOG_WELCOME_LINK_DAYS for a
new account), and a newer link for the same person ends the older one. Setting a password
ends every session of the person's, and is audited (never the password or the token).
Links are emailed through the outbox (alerts listens for `account_email_wanted`); where
mail is not configured, an administrator hands the link over instead: it is not a
password, and it expires.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from homelog.accounts.models import PasswordLink, User
from homelog.accounts.passwords import hash_password, policy_problems
from homelog.accounts.reauth import confirm_password
from homelog.accounts.services import (
    LiveSession,
    NewUser,
    actor_of,
    create_user,
    end_all_sessions,
    find_user_by_email,
)
from homelog.accounts.signals import AccountEmail, account_email_wanted
from homelog.accounts.throttle import (
    RESET_PREFIX,
    check_sign_in_allowed,
    client_address,
    record_sign_in_failure,
)
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid
from homelog.core.time import utcnow
from homelog.extensions import db

RESET, WELCOME = "reset", "welcome"
# Links asked for one person within an hour, past which no more are emailed (the answer
# stays the same), so a stranger cannot flood someone's mailbox.
MAX_RESET_LINKS_PER_HOUR = 3
LINK_NOT_VALID = ("This link has expired, was already used, or a newer one was sent. "
                  "Ask for a new one.")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mail_configured() -> bool:
    """Whether Homelog can send email (otherwise an administrator hands links over)."""
    return bool(current_app.config["HOMELOG_SMTP_HOST"])


def _lifetime(purpose: str) -> dt.timedelta:
    config = current_app.config
    if purpose == WELCOME:
        return dt.timedelta(days=config["HOMELOG_WELCOME_LINK_DAYS"])
    return dt.timedelta(minutes=config["HOMELOG_RESET_LINK_MINUTES"])


def link_for(token: str) -> str:
    """The address in the app where a link's token sets a password. The token travels in
    the fragment, which browsers never send to a server, so no log ever holds it."""
    return f"{current_app.config['HOMELOG_BASE_URL'].rstrip('/')}/set-password#token={token}"


@dataclass(frozen=True)
class IssuedLink:
    link: str
    expires_at: dt.datetime
    emailed: bool


def issue_link(user: User, purpose: str, *, email: bool) -> IssuedLink:
    """Make a new link for the user (ending any older one), and email it when asked to
    and mail is configured. Returns the link: show it only to whoever must hand it over."""
    now = utcnow()
    _end_links(user.id, "superseded", now)
    token = secrets.token_urlsafe(32)
    row = PasswordLink(user_id=user.id, token_hash=_hash(token), purpose=purpose,
                       created_at=now, expires_at=now + _lifetime(purpose))
    db.session.add(row)
    db.session.flush()
    link = link_for(token)
    emailed = email and mail_configured()
    if emailed:
        subject, body = _wording(user, purpose, link, row.expires_at - now)
        account_email_wanted.send(current_app._get_current_object(), now=now,
                                  email=AccountEmail(f"password-link:{row.id}", user.id,
                                                     user.email, subject, body))
    return IssuedLink(link, row.expires_at, emailed)


def _wording(user: User, purpose: str, link: str, lasts: dt.timedelta) -> tuple[str, str]:
    hours = math.ceil(lasts.total_seconds() / 3600)
    lasting = f"{hours} hour{'s' if hours > 1 else ''}" if hours < 48 else f"{hours // 24} days"
    if purpose == WELCOME:
        subject = "Homelog: set your password"
        opening = ("An administrator has made you a Homelog account. Choose your password "
                   "with this link:")
    else:
        subject = "Homelog: reset your password"
        opening = ("Someone (we hope you) asked to reset your Homelog password. Choose a new "
                   "one with this link:")
    body = (f"Hello {user.name},\n\n{opening}\n{link}\n\n"
            f"The link works once, for {lasting}. If you did not expect this email, you can "
            "ignore it: your password has not changed.\n")
    return subject, body


def _end_links(user_id: int, reason: str, now: dt.datetime) -> None:
    db.session.execute(update(PasswordLink)
                       .where(PasswordLink.user_id == user_id, PasswordLink.ended_at.is_(None))
                       .values(ended_at=now, end_reason=reason))


def request_reset(email: str) -> None:
    """Someone forgot their password: email a link if the account exists and is active.

    The answer is the same whether or not it does (nobody learns who has an account).
    Requests are throttled like sign-ins, per address and per email (counted apart from
    sign-ins, so an address cannot try every email), and at most MAX_RESET_LINKS_PER_HOUR
    links are sent to one person an hour.
    """
    account = f"{RESET_PREFIX}{email.strip().lower()}"
    try:
        check_sign_in_allowed(account)
    except ApiError as refused:
        raise ApiError(429, "too_many_attempts", "Too many requests from here lately. "
                       "Please wait a while and try again.", headers=refused.headers) from None
    record_sign_in_failure(account)
    user = find_user_by_email(email)
    if user is None or not user.active or not mail_configured():
        return
    since = utcnow() - dt.timedelta(hours=1)
    recent = db.session.execute(select(db.func.count()).select_from(PasswordLink).where(
        PasswordLink.user_id == user.id, PasswordLink.purpose == RESET,
        PasswordLink.created_at > since)).scalar_one()
    if recent >= MAX_RESET_LINKS_PER_HOUR:
        return
    issue_link(user, RESET, email=True)
    record(actor_of(user), "user.password_reset_requested", basis="credentials",
           target_type="user", target_id=user.id, detail={"address": client_address()})


def set_password_with_link(token: str, password: str) -> User:
    """Set a password with a link's token: the link ends, every session of the person's
    ends, and it is audited. A link that is unknown, used, replaced or expired is 422
    naming `token`; a weak password is 422 naming `password` (and the link still works)."""
    now = utcnow()
    row = db.session.execute(select(PasswordLink).where(
        PasswordLink.token_hash == _hash(token))).scalar_one_or_none()
    user = db.session.get(User, row.user_id) if row else None
    if row is None or user is None or row.ended_at is not None or row.expires_at <= now \
            or not user.active:
        raise ApiError(422, "link_not_valid", LINK_NOT_VALID, {"token": [LINK_NOT_VALID]})
    _set(user, password, "password_link")
    row.ended_at, row.end_reason = now, "used"
    db.session.flush()
    record(actor_of(user), "user.password_set", basis="password_link", target_type="user",
           target_id=user.id, detail={"link": row.purpose, "address": client_address()})
    return user


def change_own_password(user: User, session: LiveSession, current: str, new: str) -> None:
    """Change your own password, giving the current one (wrong: 422 naming
    `current_password`, counted like a wrong confirmation, which ends the session after a
    few). Your other sessions end; this one goes on. Audited."""
    try:
        confirm_password(user, session, current)
    except ApiError as error:
        if error.status != 422:
            raise
        raise invalid({"current_password": ["This is not your current password."]},
                      "Your current password was not recognised.") from None
    _set(user, new, "password_changed", keep_session_id=session.id)
    _end_links(user.id, "superseded", utcnow())
    record(actor_of(user), "user.password_changed", basis="credentials", target_type="user",
           target_id=user.id, detail={"address": client_address()})


def _set(user: User, password: str, reason: str, keep_session_id: int | None = None) -> None:
    problems = policy_problems(password, user.email)
    if problems:
        raise invalid({"password" if keep_session_id is None else "new_password": problems},
                      "Choose another password.")
    user.password_hash = hash_password(password)
    end_all_sessions(user, reason, keep_session_id=keep_session_id)
    db.session.flush()


@dataclass(frozen=True)
class Invitation:
    user: User
    emailed: bool
    link: str | None  # only where mail is not configured: for the administrator to hand over
    expires_at: dt.datetime


def invite_user(actor: User | None, new: NewUser) -> Invitation:
    """An administrator adds someone: the account has no working password until its owner
    sets one with the link emailed to them (or, without mail, handed over by the
    administrator, who sees a link, never a password). Audited."""
    user = create_user(NewUser(**{**new.__dict__, "password": None}))
    issued = issue_link(user, WELCOME, email=True)
    record(actor_of(actor), "user.create", basis="administrator", target_type="user",
           target_id=user.id, detail={"role": user.role.value, "link_emailed": issued.emailed})
    return Invitation(user, issued.emailed, None if issued.emailed else issued.link,
                      issued.expires_at)


def send_new_link(actor: User | None, user: User) -> Invitation:
    """An administrator sends someone a new link to set their password (forgotten, and no
    mail to reset it by): emailed when mail is configured, otherwise shown to hand over.
    The password is unchanged until the link is used. Audited."""
    purpose = WELCOME if user.password_hash.startswith("!") else RESET
    issued = issue_link(user, purpose, email=True)
    record(actor_of(actor), "user.password_link_sent", basis="administrator",
           target_type="user", target_id=user.id, detail={"link_emailed": issued.emailed})
    return Invitation(user, issued.emailed, None if issued.emailed else issued.link,
                      issued.expires_at)
