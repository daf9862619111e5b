"""Agencies, users and sessions. Services flush; the request or command boundary commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, select, update

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


def create_agency(name: str, kind: str) -> Agency:
    """Add an agency; names are unique across the partnership."""
    name = name.strip()
    if not name:
        raise invalid({"name": ["Give the agency a name."]})
    if db.session.execute(select(Agency.id).where(Agency.name == name)).first():
        raise ApiError(409, "agency_exists", f"An agency called {name!r} already exists.")
    agency = Agency(name=name, kind=kind.strip() or "other", created_at=utcnow())
    db.session.add(agency)
    db.session.flush()
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
    password: str
    manager_id: int | None = None


def create_user(new: NewUser) -> User:
    """Add a user after checking the email is free, the agency exists and the password is sound."""
    email = normalise_email(new.email)
    if "@" not in email:
        raise invalid({"email": ["Enter an email address."]})
    if find_user_by_email(email):
        raise ApiError(409, "user_exists", "A user with this email already exists.")
    if db.session.get(Agency, new.agency_id) is None:
        raise invalid({"agency_id": ["No such agency."]})
    problems = policy_problems(new.password, email)
    if problems:
        raise invalid({"password": problems})
    user = User(
        email=email,
        name=new.name.strip(),
        agency_id=new.agency_id,
        role=new.role,
        profession=new.profession,
        manager_id=new.manager_id,
        password_hash=hash_password(new.password),
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


def sign_in(email: str, password: str) -> StartedSession:
    """Check the credentials and open a server-side session; the same answer for any failure."""
    check_sign_in_allowed(email)
    user = find_user_by_email(email)
    if user is None:
        spend_verification_time(password)
    if user is None or not verify_password(user.password_hash, password) or not user.active:
        record_sign_in_failure(email)
        raise ApiError(401, "sign_in_failed", "Email or password not recognised.")
    clear_sign_in_failures(email)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = UserSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
    )
    db.session.add(session)
    db.session.flush()
    record(actor_of(user), "session.start", basis="credentials")
    return StartedSession(user, token, session.csrf_token)


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
    agency_name: str  # the user's agency, shown beside everything they record


_LIVE_SESSION = (
    select(UserSession.id, UserSession.csrf_token, UserSession.created_at,
           UserSession.last_seen_at, Agency.name, User)
    .join(User, User.id == UserSession.user_id)
    .join(Agency, Agency.id == User.agency_id)
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None))
)


def session_for_token(token: str) -> tuple[LiveSession, User] | None:
    """The live session and its user for a cookie token, ending it if it has timed out."""
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
    if now - session.last_seen_at > _LAST_SEEN_RESOLUTION:
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
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason="user_disabled")
        )
    db.session.flush()
    record(
        actor_of(actor),
        "user.enable" if active else "user.disable",
        basis="administrator",
        target_type="user",
        target_id=user.id,
    )
    return user


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
