"""The in-app inbox."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import login_required

from homelog.accounts.access import signed_in_user
from homelog.alerts import services
from homelog.alerts.schemas import InboxEntrySchema, InboxQuerySchema
from homelog.core.api import SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint
from homelog.core.time import utcnow

blp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="Inbox")


@blp.route("/inbox")
class InboxResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(InboxQuerySchema, location="query")
    @blp.response(200, InboxEntrySchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Any]:
        """Flags put in front of you, newest first: opened or raised again for your families,
        or escalated to you. Open the family's flags to read them."""
        return services.inbox(signed_in_user(), query["unread"], query["limit"])


@blp.route("/inbox/<id:entry_id>/read")
class InboxReadResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.response(200, InboxEntrySchema)
    def post(self, entry_id: int) -> Any:
        """Mark one of your inbox entries read."""
        return services.mark_read(signed_in_user(), entry_id, utcnow())
