"""Agencies, users and sessions. Services flush; the request or command boundary commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select, update

from homelog.accounts import second_factor
from homelog.accounts.models import Agency, Profession, Role, User, UserSession
from homelog.accounts.passwords import (
    hash_password,
    policy_problems,
    spend_verification_time,
    verify_password,
)
from homelog.accounts.throttle import (
    check_sign_in_allowed,
    clear_sign_in_failures,
    client_address,
    record_sign_in_failure,
)
from homelog.audit.services import Actor, record
from homelog.core.errors import ApiError, invalid
from homelog.core.time import utcnow
from homelog.core.transactions import at_commit, keep_even_if_request_fails
from homelog.extensions import db

# Writing last_seen_at on every request would make every read a write; a minute's
# resolution is plenty for an idle timeout measured in tens of minutes.
_LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)


def actor_of(user: User | None) -> Actor:
    """The audit attribution for a user (or for the system when None)."""
    if user is None:
        return Actor(None, None)
    return Actor(user.id, user.agency_id)


def create_agency(name: str, kind: str, actor: User | None = None) -> Agency:
    """Add an agency; names are unique across the partnership. Audited (`actor` None: the
    command line or the demo)."""
    name = name.strip()
    if not name:
        raise invalid({"name": ["Give the agency a name."]})
    if db.session.execute(select(Agency.id).where(Agency.name == name)).first():
        raise ApiError(409, "agency_exists", f"An agency called {name!r} already exists.")
    agency = Agency(name=name, kind=kind.strip() or "other", created_at=utcnow())
    db.session.add(agency)
    db.session.flush()
    record(actor_of(actor), "agency.create", basis="administrator", target_type="agency",
           target_id=agency.id, detail={"name": name, "kind": agency.kind})
    return agency


def find_agency(name: str) -> Agency | None:
    return db.session.execute(select(Agency).where(Agency.name == name)).scalar_one_or_none()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


@dataclass
class NewUser:
    email: str
    name: str
    agency_id: int
    role: Role
    profession: Profession
    password: str | None = None  # None: no working password until a link sets one
    manager_id: int | None = None


def administrators_exist() -> bool:
    """Whether any account, enabled or not, is an administrator's."""
    return db.session.execute(
        select(User.id).where(User.role == Role.ADMINISTRATOR).limit(1)).first() is not None


# A stored password hash that no password matches: an account nobody can sign in to yet.
NO_PASSWORD_PREFIX = "!"


def create_user(new: NewUser) -> User:
    """Add a user after checking the email is free, the agency exists and the password is sound.

    With no password the account has none that works: its owner sets one with a link
    (accounts/password_links.py, which is how administrators add people). A known password
    is for the demo, tests and the operator's first administrator (`flask users create`).
    """
    email = normalise_email(new.email)
    if "@" not in email:
        raise invalid({"email": ["Enter an email address."]})
    if find_user_by_email(email):
        raise ApiError(409, "user_exists", "A user with this email already exists.")
    if db.session.get(Agency, new.agency_id) is None:
        raise invalid({"agency_id": ["No such agency."]})
    if new.manager_id is not None and db.session.get(User, new.manager_id) is None:
        raise invalid({"manager_id": ["No such user."]})
    if new.password is None:
        password_hash = NO_PASSWORD_PREFIX + secrets.token_hex(16)
    else:
        problems = policy_problems(new.password, email)
        if problems:
            raise invalid({"password": problems})
        password_hash = hash_password(new.password)
    user = User(
        email=email,
        name=new.name.strip(),
        agency_id=new.agency_id,
        role=new.role,
        profession=new.profession,
        manager_id=new.manager_id,
        password_hash=password_hash,
        active=True,
        created_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StartedSession:
    user: User
    token: str
    csrf_token: str
    enrol_first: bool  # the session may only set up two-step sign-in


SECOND_FACTOR_REQUIRED = "second_factor_required"
SECOND_FACTOR_FAILED = "second_factor_failed"


def sign_in(email: str, password: str, otp: str | None = None) -> StartedSession:
    """Check the credentials and open a server-side session.

    Any wrong email or password gets the same answer. A right password for an account
    with two-step sign-in set up then needs `otp` (a code from the app, or a recovery
    code): without it the answer is 401 `second_factor_required`, so an app can ask for
    the code and send everything again; a wrong or used code is 401
    `second_factor_failed`, counted by sign-in throttling like a wrong password. Where
    every sign-in needs a second factor and the account has none yet, the session opens
    to set one up and nothing else (`enrol_first`). Failures are audited (never the
    password or the code), and the entries outlive the refused request.
    """
    check_sign_in_allowed(email)
    user = find_user_by_email(email)
    if user is None:
        spend_verification_time(password)
    if user is None or not verify_password(user.password_hash, password) or not user.active:
        _refuse_password(email, user)
    method = _second_factor(user, email, otp)
    clear_sign_in_failures(email)
    return _open_session(user, method)


def _refuse_password(email: str, user: User | None) -> None:
    record_sign_in_failure(email)
    if user is None:
        # The audit trail keeps entries for good: what was typed is kept only if it looks
        # like an email address, not a password typed in the wrong field.
        typed = normalise_email(email)[:254]
        actor, detail = actor_of(None), {"account": typed if "@" in typed else None}
    else:
        actor, detail = actor_of(user), {"reason": "wrong_password" if user.active
                                         else "account_disabled"}
    record(actor, "session.sign_in_failed", basis="credentials", kept=True,
           detail={**detail, "address": client_address()})
    raise ApiError(401, "sign_in_failed", "Email or password not recognised.")


def _second_factor(user: User, email: str, otp: str | None) -> str:
    """How the second step was met: "totp", "recovery_code", "enrol_first" or "none"."""
    if not second_factor.is_enrolled(user.id):
        return "enrol_first" if second_factor.required() else "none"
    if not otp:
        raise ApiError(401, SECOND_FACTOR_REQUIRED,
                       "Enter the code from your authenticator app.")
    method = second_factor.spend_code(user.id, otp)
    if method is None:
        record_sign_in_failure(email)
        record(actor_of(user), "session.second_factor_failed", basis="credentials", kept=True,
               detail={"address": client_address()})
        raise ApiError(401, SECOND_FACTOR_FAILED,
                       "That code was not accepted. Enter the code your authenticator app "
                       "shows now (each code works once), or a recovery code.")
    return method


def _open_session(user: User, method: str) -> StartedSession:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = UserSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        enrol_first=method == "enrol_first",
    )
    db.session.add(session)
    user.last_signed_in_at = now
    db.session.flush()
    detail: dict[str, object] = {"second_factor": method}
    if method == "recovery_code":
        detail["recovery_codes_left"] = second_factor.recovery_codes_left(user.id)
    record(actor_of(user), "session.start", basis="credentials", detail=detail)
    return StartedSession(user, token, session.csrf_token, session.enrol_first)


def _expired(session: LiveSession, now: dt.datetime) -> str | None:
    config = current_app.config
    idle = dt.timedelta(minutes=config["HOMELOG_SESSION_IDLE_MINUTES"])
    absolute = dt.timedelta(hours=config["HOMELOG_SESSION_ABSOLUTE_HOURS"])
    if now - session.last_seen_at > idle:
        return "idle_timeout"
    if now - session.created_at > absolute:
        return "absolute_timeout"
    return None


@dataclass(frozen=True)
class LiveSession:
    """What a request needs of its session record (read on every request, so kept light)."""

    id: int
    csrf_token: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    enrol_first: bool  # may only set up two-step sign-in (see sign_in)
    agency_name: str  # the user's agency, shown beside everything they record


_LIVE_SESSION = (
    select(UserSession.id, UserSession.csrf_token, UserSession.created_at,
           UserSession.last_seen_at, UserSession.enrol_first, Agency.name, User)
    .join(User, User.id == UserSession.user_id)
    .join(Agency, Agency.id == User.agency_id)
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None))
)


def session_for_token(token: str, *, background: bool = False
                      ) -> tuple[LiveSession, User] | None:
    """The live session and its user for a cookie token, ending it if it has timed out.

    A request from the app checking in the background (`background`) does not count as
    activity: it leaves the idle time-out running, so an unattended screen signs out.
    """
    row = db.session.execute(_LIVE_SESSION, {"token_hash": _token_hash(token)}).first()
    if row is None:
        return None
    *columns, user = row
    session = LiveSession(*columns)
    if not user.active:
        return None
    now = utcnow()
    reason = _expired(session, now)
    session_id = session.id
    if reason:
        # The request will fail with 401 and roll back; the ending must still be kept.
        keep_even_if_request_fails(lambda: _end_session_by_id(session_id, reason))
        return None
    if not background and now - session.last_seen_at > _LAST_SEEN_RESOLUTION:
        at_commit(lambda: _touch_session(session_id, now))
    return session, user


def csrf_matches(session: LiveSession, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(session.csrf_token, presented or "")


def end_session(session: LiveSession, reason: str) -> None:
    """End one session now."""
    _end_session_by_id(session.id, reason)


def _touch_session(session_id: int, now: dt.datetime) -> None:
    db.session.execute(
        update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
    )


def _end_session_by_id(session_id: int, reason: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def set_active(actor: User | None, user: User, active: bool) -> User:
    """Enable or disable a user; disabling ends every session of theirs at once."""
    user.active = active
    if not active:
        end_all_sessions(user, "user_disabled")
    db.session.flush()
    record(
        actor_of(actor),
        "user.enable" if active else "user.disable",
        basis="administrator",
        target_type="user",
        target_id=user.id,
    )
    return user


def end_all_sessions(user: User, reason: str, keep_session_id: int | None = None) -> None:
    """End every live session of the user's at once (but `keep_session_id`, if given)."""
    query = update(UserSession).where(UserSession.user_id == user.id,
                                      UserSession.ended_at.is_(None))
    if keep_session_id is not None:
        query = query.where(UserSession.id != keep_session_id)
    db.session.execute(query.values(ended_at=utcnow(), end_reason=reason))


def finish_enrolment(user: User, session: LiveSession, code: str) -> list[str]:
    """Confirm the user's new second factor with a first code; returns the ten recovery
    codes (shown this once). A session opened to enrol first may now do everything."""
    codes = second_factor.confirm_enrolment(user, code)
    db.session.execute(update(UserSession).where(UserSession.id == session.id)
                       .values(enrol_first=False))
    record(actor_of(user), "user.second_factor_enrolled", basis="credentials",
           target_type="user", target_id=user.id)
    return codes


def reset_second_factor(actor: User | None, user: User) -> None:
    """An administrator removes a user's second factor (a lost phone and no recovery code
    left): their sessions end, and they set it up again at their next sign-in. Audited."""
    had_one = second_factor.forget(user.id)
    end_all_sessions(user, "second_factor_reset")
    db.session.flush()
    record(actor_of(actor), "user.second_factor_reset", basis="administrator",
           target_type="user", target_id=user.id, detail={"was_set_up": had_one})


def directory(search: str | None = None, limit: int = 200) -> list[User]:
    """Active users, for adding colleagues to a core group."""
    query = select(User).where(User.active.is_(True)).order_by(User.name).limit(limit)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            db.func.lower(User.name).like(pattern) | db.func.lower(User.email).like(pattern)
        )
    return list(db.session.execute(query).scalars())


def list_agencies() -> list[Agency]:
    return list(db.session.execute(select(Agency).order_by(Agency.name)).scalars())
