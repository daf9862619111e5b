"""One error shape for the whole API: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

# Words a practitioner can read, for statuses whose default text is developer-speak.
_MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in.",
    403: "You do not have permission to do this.",
    404: "Not found.",
    405: "This action is not allowed here.",
    409: "This conflicts with what is already recorded.",
    413: "What was sent is too large.",
    415: "This type of content is not accepted.",
    422: "Some of the information is not valid.",
    429: "Too many attempts. Please wait and try again.",
    500: "Something went wrong on our side. Nothing you sent was lost; please try again.",
    503: "Homelog is busy just now and did not finish this. Nothing was half-done; please "
         "try again in a few seconds.",
}
# How long a client is asked to wait when the database was busy (Retry-After, seconds).
BUSY_RETRY_AFTER_SECONDS = 5


class ApiError(Exception):
    """An error the client can act on; carries the status, a stable code and the fields at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}  # e.g. Retry-After on 429


def not_found(what: str = "Not found.") -> ApiError:
    return ApiError(404, "not_found", what)


def invalid(fields: dict[str, Any], message: str = _MESSAGES[422]) -> ApiError:
    return ApiError(422, "invalid", message, fields)


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    return response


def http_exception_response(error: HTTPException) -> Response:
    """Turn a werkzeug/webargs HTTP exception into our error shape (no internals leak)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = data.get("errors") or data.get("messages")
    # webargs nests messages by location ({"json": {...}}); the client wants the fields.
    if isinstance(fields, dict) and len(fields) == 1:
        (location, inner), = fields.items()
        if location in {"json", "query", "form", "files", "headers", "view_args"} and isinstance(
            inner, dict
        ):
            fields = inner
    message = data.get("message") or _MESSAGES.get(status) or error.name
    code = error.name.lower().replace(" ", "_") if status != 422 else "invalid"
    response = error_response(status, code, message, fields)
    for key, value in (data.get("headers") or {}).items():
        response.headers[key] = value
    return response


def database_busy(error: BaseException | None) -> bool:
    """SQLite's "database is locked": the write lock stayed taken past the busy timeout.

    Another process (a long job, a backup) held it; the request did nothing it keeps
    (its transaction is rolled back), so the client may simply try again.
    """
    if not isinstance(error, OperationalError):
        return False
    name = getattr(error.orig, "sqlite_errorname", "")
    return name.startswith("SQLITE_BUSY") or "database is locked" in str(error.orig)


def busy_response() -> Response:
    """503 with Retry-After: the client's retry (same Idempotency-Key) is safe."""
    log.warning("database busy: %s %s answered 503", request.method, request.path)
    response = error_response(503, "busy", _MESSAGES[503])
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app: Flask) -> None:
    """Every error leaves as JSON; unexpected ones are logged in full and answered generically."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        response = error_response(error.status, error.code, error.message, error.fields)
        response.headers.update(error.headers)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        # An error at the request boundary (the commit) reaches here wrapped as a 500.
        if isinstance(error, InternalServerError) and database_busy(error.original_exception):
            return busy_response()
        return http_exception_response(error)

    @app.errorhandler(OperationalError)
    def _database_error(error: OperationalError) -> Response:
        if database_busy(error):
            return busy_response()
        return _unexpected(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(500, "server_error", _MESSAGES[500])
