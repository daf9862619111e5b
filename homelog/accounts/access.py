"""Who is asking: the session cookie, CSRF on every state change, and role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

from homelog.accounts.models import Role, User
from homelog.accounts.services import LiveSession, csrf_matches, session_for_token
from homelog.core.api import CSRF_HEADER, SESSION_COOKIE
from homelog.core.errors import ApiError, error_response
from homelog.extensions import login_manager

_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Signing in cannot carry a token it has not been given yet.
_CSRF_EXEMPT = {("accounts.SessionResource", "POST")}

F = TypeVar("F", bound=Callable[..., Any])


def init_access(app: Flask) -> None:
    """Wire Flask-Login to the server-side session and check CSRF before every state change."""
    login_manager.session_protection = None  # we keep no Flask cookie session at all

    @login_manager.request_loader
    def _load_user(_request: Any) -> User | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        found = session_for_token(token)
        if found is None:
            return None
        g.user_session, user = found
        return user

    @login_manager.unauthorized_handler
    def _unauthorised() -> Response:
        return error_response(401, "unauthorised", "Please sign in.")

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
