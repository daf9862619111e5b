"""Who is asking: the session cookie, CSRF on every state change, and role checks.

Two more rules for every API request:
* A session opened to set up two-step sign-in first (accounts/services.py, sign_in) may
  only do that, see who it is and sign out: anything else is 403
  `second_factor_enrolment_required`.
* The app checks the inbox in the background every few minutes. Such a request says so
  (X-Homelog-Background: 1) and, for the endpoints listed here only, is not activity: it
  does not extend the idle time-out and leaves no audit entry. The header changes
  nothing on any other endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

from homelog.accounts.models import Role, User
from homelog.accounts.services import LiveSession, csrf_matches, session_for_token
from homelog.audit.services import leave_background_request_unaudited
from homelog.core.api import CSRF_HEADER, SESSION_COOKIE
from homelog.core.errors import ApiError, error_response
from homelog.extensions import login_manager

_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Signing in cannot carry a token it has not been given yet.
# Nor can asking for, or using, a link to set a forgotten password (which needs no session).
_CSRF_EXEMPT = {("accounts.SessionResource", "POST"),
                ("accounts.PasswordResetResource", "POST"),
                ("accounts.SetPasswordResource", "POST")}
# What a session that must set up two-step sign-in first may do.
_ENROLMENT_ENDPOINTS = {
    ("accounts.SessionResource", "GET"),
    ("accounts.SessionResource", "DELETE"),
    ("accounts.SecondFactorResource", "POST"),
    ("accounts.SecondFactorConfirmResource", "POST"),
    ("accounts.PasswordResetResource", "POST"),
    ("accounts.SetPasswordResource", "POST"),
    ("api-docs.openapi_json", "GET"),
    ("health.health", "GET"),
}
BACKGROUND_HEADER = "X-Homelog-Background"
# The requests the app makes on its own, on a timer: the unread count of the inbox.
_BACKGROUND_ENDPOINTS = {("alerts.InboxResource", "GET")}

F = TypeVar("F", bound=Callable[..., Any])


def init_access(app: Flask) -> None:
    """Wire Flask-Login to the server-side session and check CSRF before every state change."""
    login_manager.session_protection = None  # we keep no Flask cookie session at all

    @login_manager.request_loader
    def _load_user(_request: Any) -> User | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        found = session_for_token(token, background=is_background_request())
        if found is None:
            return None
        g.user_session, user = found
        return user

    @login_manager.unauthorized_handler
    def _unauthorised() -> Response:
        return error_response(401, "unauthorised", "Please sign in.")

    @app.before_request
    def _quiet_background_checks() -> None:
        if is_background_request():
            leave_background_request_unaudited()

    @app.before_request
    def _check_csrf() -> None:
        exempt = (request.endpoint, request.method) in _CSRF_EXEMPT
        if request.method not in _UNSAFE_METHODS or exempt:
            return
        if not current_user.is_authenticated:
            return  # the view's login check answers 401
        if not csrf_matches(current_session(), request.headers.get(CSRF_HEADER)):
            raise ApiError(
                403, "csrf_failed", f"Missing or wrong {CSRF_HEADER} header; sign in again."
            )

    @app.before_request
    def _enrol_first() -> None:
        if not request.path.startswith("/api/") or not request.cookies.get(SESSION_COOKIE):
            return
        if (request.endpoint, request.method) in _ENROLMENT_ENDPOINTS:
            return
        if current_user.is_authenticated and current_session().enrol_first:
            raise ApiError(403, "second_factor_enrolment_required",
                           "Set up two-step sign-in before using Homelog.")


def is_background_request() -> bool:
    """Whether the app made this request on its own (a timer), not for a person's action."""
    return (request.headers.get(BACKGROUND_HEADER) == "1"
            and (request.endpoint, request.method) in _BACKGROUND_ENDPOINTS)


def current_session() -> LiveSession:
    return cast(LiveSession, g.user_session)


def signed_in_user() -> User:
    """The signed-in user (call only behind login_required)."""
    return cast(User, current_user._get_current_object())


def require_role(*roles: Role) -> Callable[[F], F]:
    """Refuse (403) users whose role is not one of `roles`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in roles:
                raise ApiError(403, "forbidden", "Your role does not allow this.")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator
