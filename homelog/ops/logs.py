"""Logs as JSON lines, each request with an id, and never a family's data.

With HOMELOG_LOG_FORMAT=json every record is one JSON object: time, level, logger, message
and, inside a request, its id (X-Request-Id from the proxy when it looks like one, otherwise
a new one, echoed in the answer), the method and the route's pattern. The pattern, not the
path: `/api/v1/families/<id:family_id>` says what was asked without saying of whom. One line
per request gives its status and duration.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from flask import Flask, Response, g, request

from homelog.core.time import utcnow

REQUEST_ID_HEADER = "X-Request-Id"
#: Where a request's start (time.perf_counter) is kept in flask.g, for the log and the metrics.
REQUEST_STARTED = "homelog_started"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_request: ContextVar[dict[str, str] | None] = ContextVar("homelog_log_request", default=None)
access_log = logging.getLogger("homelog.requests")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with the request it belongs to."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": utcnow().isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_request.get() or {})
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    current = _request.get()
    return current["request_id"] if current else None


def _route() -> str:
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


def configure_logging(app: Flask) -> None:
    """Set the log format (HOMELOG_LOG_FORMAT) and give every request an id."""
    handler = logging.StreamHandler()
    if app.config["HOMELOG_LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    handler.homelog_own = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    # Replace only the handler an earlier app put here: others (a test's log capture, a
    # host's own) are left as they are.
    for old in [h for h in root.handlers if getattr(h, "homelog_own", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    @app.before_request
    def _begin() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.homelog_request_id = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        setattr(g, REQUEST_STARTED, time.perf_counter())
        _request.set({"request_id": g.homelog_request_id, "method": request.method,
                      "route": _route()})

    @app.after_request
    def _end(response: Response) -> Response:
        started = g.get(REQUEST_STARTED)
        if started is None:
            return response
        response.headers[REQUEST_ID_HEADER] = g.homelog_request_id
        access_log.info("%s %s %s", request.method, _route(), response.status_code,
                        extra={"fields": {"status": response.status_code,
                                          "ms": round((time.perf_counter() - started) * 1000,
                                                      1)}})
        return response

    @app.teardown_request
    def _forget(_error: BaseException | None) -> None:
        _request.set(None)
