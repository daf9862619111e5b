"""flask-smorest's Api, answering and documenting errors in Homelog's own shape."""

from __future__ import annotations

from flask import Response
from flask_smorest import Api as SmorestApi
from marshmallow import fields
from werkzeug.exceptions import HTTPException

from homelog.core.errors import http_exception_response
from homelog.core.schemas import OutSchema


class ErrorBodySchema(OutSchema):
    code = fields.String(required=True, metadata={"description": "Stable, machine-readable."})
    message = fields.String(required=True, metadata={"description": "For the person using it."})
    fields = fields.Dict(
        keys=fields.String(),
        metadata={"description": "The fields at fault, each with what is wrong."},
    )


class ErrorSchema(OutSchema):
    error = fields.Nested(ErrorBodySchema, required=True)


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        return http_exception_response(error)
