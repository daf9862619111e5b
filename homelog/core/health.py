"""A liveness answer that touches nothing: for load balancers, and as the benchmarks' floor."""

from flask import Response, jsonify
from marshmallow import fields

from homelog.core.api import PUBLIC, Blueprint
from homelog.core.schemas import OutSchema

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Liveness")


class HealthSchema(OutSchema):
    status = fields.String(metadata={"enum": ["ok"]})


@blp.route("/health", methods=["GET"])
@blp.doc(**PUBLIC)
@blp.response(200, HealthSchema)
def health() -> Response:
    """The service is up (no database access, no sign-in)."""
    return jsonify(status="ok")
