"""A liveness answer that touches nothing: for load balancers, and as the benchmarks' floor."""

from flask import Blueprint, jsonify

blp = Blueprint("health", __name__, url_prefix="/api/v1")


@blp.get("/health")
def health():  # type: ignore[no-untyped-def]
    return jsonify(status="ok")
