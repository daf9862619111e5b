"""A family's legal hold: keeps its records whatever their age, until lifted."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import login_required

from homelog.accounts.access import signed_in_user
from homelog.core.api import SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint
from homelog.core.time import utcnow
from homelog.families.services import open_family
from homelog.retention import services
from homelog.retention.schemas import HoldReasonSchema, LegalHoldSchema, LegalHoldsSchema

blp = Blueprint("retention", __name__, url_prefix="/api/v1",
                description="Legal holds: a family's records kept whatever their age")


@blp.route("/families/<id:family_id>/legal-hold")
class LegalHoldResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, LegalHoldsSchema)
    def get(self, family_id: int) -> dict[str, Any]:
        """Whether the family is under a legal hold, and every hold it has had."""
        open_family(signed_in_user(), family_id, "legal_hold.view")
        holds = services.describe_holds(family_id)
        return {"on_hold": any(hold.lifted_at is None for hold in holds), "holds": holds}

    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF, description="The family's lead social worker or a "
             "manager; 409 `legal_hold_exists` if one is in force.")
    @blp.arguments(HoldReasonSchema)
    @blp.response(201, LegalHoldSchema)
    def post(self, data: dict[str, Any], family_id: int) -> Any:
        """Place a legal hold: nothing of the family is purged while it is in force."""
        user = signed_in_user()
        access = open_family(user, family_id, None)
        return services.place_hold(user, access, data["reason"], utcnow())


@blp.route("/families/<id:family_id>/legal-hold/lift")
class LiftLegalHoldResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF, description="The family's lead social worker or a "
             "manager; 404 `no_legal_hold` if none is in force.")
    @blp.arguments(HoldReasonSchema)
    @blp.response(200, LegalHoldSchema)
    def post(self, data: dict[str, Any], family_id: int) -> Any:
        """Lift the family's legal hold; it stays on record with who lifted it and why."""
        user = signed_in_user()
        access = open_family(user, family_id, None)
        return services.lift_hold(user, access, data["reason"], utcnow())
