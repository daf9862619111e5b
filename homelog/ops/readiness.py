"""Readiness: may this process be sent requests? (Liveness is core/health.py.)

Ready means the database answers, its schema is the one this code was written for (no
migration pending, none newer), and the photo store can be reached. A load balancer stops
sending requests to a process that is not ready; it does not restart it.
"""

from __future__ import annotations

from typing import Any

from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import Migrate
from marshmallow import fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from homelog.core.api import PUBLIC, Blueprint
from homelog.core.schemas import OutSchema
from homelog.extensions import db
from homelog.photos.storage import photo_store

blp = Blueprint("ops", __name__, url_prefix="/api/v1", description="Readiness")


class CheckSchema(OutSchema):
    ok = fields.Boolean()
    detail = fields.String()


class ReadinessSchema(OutSchema):
    status = fields.String(metadata={"enum": ["ready", "not_ready"]})
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(CheckSchema), metadata={
        "description": "database, schema and photo_store: each ok, with a word on why not"})


def _expected_schema() -> str | None:
    migrate: Migrate = current_app.extensions["migrate"].migrate
    return ScriptDirectory.from_config(migrate.get_config()).get_current_head()


def _database() -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        failed = {"ok": False, "detail": f"does not answer ({type(error).__name__})"}
        return failed, {"ok": False, "detail": "unknown: the database does not answer"}
    try:
        found = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        db.session.rollback()
        found = None
    expected = _expected_schema()
    answers = {"ok": True, "detail": "answers"}
    if found == expected:
        return answers, {"ok": True, "detail": f"at {found}"}
    return answers, {"ok": False, "detail": f"at {found or 'nothing (never migrated)'}, this "
                                            f"code needs {expected}: run `flask --app homelog "
                                            "db upgrade`"}


def _photo_store() -> dict[str, Any]:
    try:
        photo_store().check()
    except OSError as error:
        return {"ok": False, "detail": f"cannot be reached ({type(error).__name__})"}
    return {"ok": True, "detail": "reachable"}


@blp.route("/ready", methods=["GET"])
@blp.doc(**PUBLIC)
@blp.response(200, ReadinessSchema)
@blp.alt_response(503, schema=ReadinessSchema, description="Not ready: `checks` says why")
def ready() -> tuple[dict[str, Any], int]:
    """Whether this process can serve requests: database, schema and photo store."""
    database, schema = _database()
    checks = {"database": database, "schema": schema, "photo_store": _photo_store()}
    fine = all(check["ok"] for check in checks.values())
    return {"status": "ready" if fine else "not_ready", "checks": checks}, 200 if fine else 503
