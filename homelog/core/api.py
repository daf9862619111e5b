"""flask-smorest's Api, answering errors in Homelog's own shape."""

from __future__ import annotations

from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import HTTPException

from homelog.core.errors import http_exception_response


class Api(SmorestApi):
    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        return http_exception_response(error)
