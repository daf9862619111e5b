"""flask-smorest fitted to Homelog: one error shape, safe JSON, ids, sign-in in the docs."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import flask
from flask import Response
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort
from marshmallow import fields
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from homelog.core.errors import http_exception_response
from homelog.core.schemas import MAX_ID, OutSchema

SESSION_COOKIE = "homelog_session"
CSRF_HEADER = "X-CSRF-Token"
# OpenAPI security requirements, used as @blp.doc(**SIGNED_IN) etc.
PUBLIC: dict[str, Any] = {"security": []}
SIGNED_IN: dict[str, Any] = {"security": [{"session": []}]}
SIGNED_IN_WITH_CSRF: dict[str, Any] = {"security": [{"session": [], "csrf": []}]}


class ErrorBodySchema(OutSchema):
    code = fields.String(required=True, metadata={"description": "Stable, machine-readable."})
    message = fields.String(required=True, metadata={"description": "For the person using it."})
    fields = fields.Dict(
        keys=fields.String(),
        metadata={"description": "The fields at fault, each with what is wrong."},
    )


class ErrorSchema(OutSchema):
    error = fields.Nested(ErrorBodySchema, required=True)


class UnsafeText(ValueError):
    """Text that no database can store faithfully (NUL, or half of a surrogate pair)."""


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise UnsafeText("Text may not contain the NUL character.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise UnsafeText("Text contains an invalid character (unpaired surrogate).") from error
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


class Parser(FlaskParser):
    """Refuses, with a 400 that says why, JSON that would otherwise crash a handler or a database:
    nesting deep enough to exhaust the stack, integers too long to convert, NUL characters
    (PostgreSQL cannot store them) and unpaired surrogates (not encodable as UTF-8)."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return super()._raw_load_json(req)
        try:
            data = super()._raw_load_json(req)
        except RecursionError:
            self._refuse("The JSON body is nested too deeply.")
        except ValueError as error:
            if isinstance(error, json.JSONDecodeError):
                raise
            self._refuse("The JSON body holds a number too long to read.")
        try:
            _check_text(data)
        except UnsafeText as error:
            self._refuse(str(error))
        return data

    def load_querystring(self, req: flask.Request, schema: Any) -> Any:
        """The query string, refused (400) if it holds text no database can store."""
        try:
            _check_text([value for values in req.args.listvalues() for value in values])
        except UnsafeText as error:
            self._refuse(str(error), location="query")
        return super().load_querystring(req, schema)

    @staticmethod
    def _refuse(message: str, location: str = "json") -> NoReturn:
        abort(400, message=message, messages={location: [message]})

    def _handle_invalid_json_error(self, error: Any, req: flask.Request, *args: Any,
                                   **kwargs: Any) -> NoReturn:
        self._refuse("The body is not valid JSON.")


class Blueprint(SmorestBlueprint):
    # unknown=None: every location follows the schema's own rule, which for what we read
    # (StrictSchema) is to refuse a name it does not know. webargs would otherwise drop
    # unknown query parameters silently, so a typo (`pgae=2`) quietly answered something
    # other than what was asked.
    ARGUMENTS_PARSER = Parser(unknown=None)

    def arguments(self, schema: Any, *args: Any, **kwargs: Any) -> Any:
        """As flask-smorest's, but a schema class is made into an instance once, here.

        Given a class, webargs builds a new instance for every request (a deep copy
        of every field: 80 us for a visit); loading does not change an instance.
        """
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


class IdConverter(IntegerConverter):
    """A record id in a URL: a positive 32-bit integer, so no database overflows on it."""

    def __init__(self, map: Any) -> None:
        super().__init__(map, min=1, max=MAX_ID)


def _id_parameter_schema(_converter: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app: flask.Flask, *args: Any, **kwargs: Any) -> None:
        app.url_map.converters["id"] = IdConverter
        super().init_app(app, *args, **kwargs)
        self.register_converter(IdConverter, _id_parameter_schema)
        self.spec.components.security_scheme(
            "session", {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                        "description": "Set by POST /api/v1/session."})
        self.spec.components.security_scheme(
            "csrf", {"type": "apiKey", "in": "header", "name": CSRF_HEADER,
                     "description": "The csrf_token from the session endpoint; "
                                    "required on every change."})

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        return http_exception_response(error)
