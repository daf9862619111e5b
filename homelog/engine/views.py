"""Flags, trends and the partnership's engine parameters."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import login_required

from homelog.accounts.access import require_role, signed_in_user
from homelog.accounts.models import Role
from homelog.core.api import SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint
from homelog.core.time import utcnow
from homelog.engine import caseload, concerns_service, flags, parameters, trends
from homelog.engine.schemas import (
    AcknowledgeConcernInSchema,
    AcknowledgeInSchema,
    CaseloadEntrySchema,
    ConcernsOutSchema,
    FlagOutSchema,
    FlagQuerySchema,
    ParameterHistoryQuerySchema,
    ParameterHistorySchema,
    ParametersInSchema,
    ParametersOutSchema,
    TrendsOutSchema,
)
from homelog.families.services import open_family

blp = Blueprint("engine", __name__, url_prefix="/api/v1", description="Flags and trends")


@blp.route("/families/<id:family_id>/flags")
class FlagsResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(FlagQuerySchema, location="query")
    @blp.response(200, FlagOutSchema(many=True))
    def get(self, query: dict[str, Any], family_id: int) -> list[dict[str, Any]]:
        """The family's flags, newest first; `state` keeps only open, acknowledged or closed."""
        open_family(signed_in_user(), family_id, "flags.view",
                    detail={"state": query.get("state")})
        return flags.describe_flags(flags.family_flags(family_id, query.get("state")))


@blp.route("/families/<id:family_id>/concerns")
class ConcernsResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, ConcernsOutSchema)
    def get(self, family_id: int) -> dict[str, Any]:
        """The family picture and its concerns: its open and acknowledged flags grouped, one
        concern per domain and per family-wide matter, immediate concerns first and alone."""
        access = open_family(signed_in_user(), family_id, "concerns.view")
        return concerns_service.family_concerns(access.family_id)


@blp.route("/families/<id:family_id>/concerns/acknowledge")
class AcknowledgeConcernResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(AcknowledgeConcernInSchema)
    @blp.response(200, ConcernsOutSchema)
    def post(self, data: dict[str, Any], family_id: int) -> dict[str, Any]:
        """Record one response to a concern, on every flag behind it (lead social worker or
        manager in the core group); answers the family's concerns as they now stand."""
        access = open_family(signed_in_user(), family_id, None)
        flags.acknowledge_concern(signed_in_user(), access, data["flag_ids"], data["response"],
                                  data["close"], utcnow())
        return concerns_service.family_concerns(access.family_id)


@blp.route("/flags/<id:flag_id>/acknowledge")
class AcknowledgeResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(AcknowledgeInSchema)
    @blp.response(200, FlagOutSchema)
    def post(self, data: dict[str, Any], flag_id: int) -> dict[str, Any]:
        """Record the response to a flag (lead social worker or manager in the core group)."""
        flag = flags.acknowledge(signed_in_user(), flag_id, data["response"], data["close"],
                                 utcnow())
        return flags.describe_flags([flag])[0]


@blp.route("/families/<id:family_id>/trends")
class TrendsResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, TrendsOutSchema)
    def get(self, family_id: int) -> dict[str, Any]:
        """Per-domain scores over time against the agreed level, and the family's figures."""
        access = open_family(signed_in_user(), family_id, "trends.view")
        return trends.family_trends(access.family_id, utcnow())


@blp.route("/caseload")
class CaseloadResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, CaseloadEntrySchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Your families at a glance: open flags, days since the last visit and since the
        last unannounced visit."""
        return caseload.caseload(signed_in_user(), utcnow())


@blp.route("/engine/parameters")
class ParametersResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN)
    @blp.response(200, ParametersOutSchema)
    def get(self) -> dict[str, Any]:
        """Every engine threshold and schedule: value, default, allowed range (administrators)."""
        return {"parameters": parameters.describe()}

    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(ParametersInSchema)
    @blp.response(200, ParametersOutSchema)
    def put(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change some parameters (those left out keep their value); families are re-analysed."""
        return {"parameters": parameters.change(signed_in_user(), data, utcnow())}


@blp.route("/engine/parameters/history")
class ParameterHistoryResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN)
    @blp.arguments(ParameterHistoryQuerySchema, location="query")
    @blp.response(200, ParameterHistorySchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Changes to the engine settings, newest first: who changed which setting from
        what to what, and when (administrators)."""
        return parameters.history(query.get("before"), query["limit"])
