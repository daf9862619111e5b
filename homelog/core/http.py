"""Response headers every answer carries, and the one place that commits."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, g, request

from homelog.extensions import db

_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def keep_even_if_request_fails(action: Callable[[], None]) -> None:
    """Run `action` at the request boundary after a rollback too (e.g. ending a timed-out session).

    The request's own changes are rolled back when it fails; work registered here is
    redone in a fresh transaction and committed, so it is never lost with them.
    """
    g.setdefault("homelog_kept_actions", []).append(action)


def init_http(app: Flask) -> None:
    """Commit or roll back at the request boundary, then add the security headers."""

    @app.after_request
    def _finish_transaction(response: Response) -> Response:
        # Services only flush: a request that succeeded commits everything it did,
        # one that failed keeps nothing (not even half an audit trail).
        if response.status_code < 400:
            db.session.commit()
            return response
        db.session.rollback()
        kept = g.pop("homelog_kept_actions", [])
        if kept:
            for action in kept:
                action()
            db.session.commit()
        return response

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", _CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(self), geolocation=(), microphone=()"
        if app.config["HOMELOG_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.path.startswith("/api/"):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
