"""The account log, for administrators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from homelog.accounts.access import require_role
from homelog.accounts.models import Role
from homelog.audit.account_log import account_log
from homelog.core.api import SIGNED_IN, Blueprint
from homelog.core.schemas import MAX_ID, OutSchema, StrictSchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="The account log")


class AccountLogQuerySchema(StrictSchema):
    before = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1), metadata={
        "description": "Only entries older than this one (`next_before` of the page before)."})
    action = fields.String(validate=validate.Length(min=1, max=64),
                           metadata={"description": "Only entries of this action."})
    person = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                            metadata={"description": "Only this user's entries."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AccountLogEntrySchema(OutSchema):
    id = fields.Integer()
    at = fields.DateTime()
    action = fields.String()
    what = fields.String(metadata={"description": "The action in plain words."})
    user_id = fields.Integer(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    basis = fields.String()
    address = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)


class AccountLogSchema(OutSchema):
    entries = fields.List(fields.Nested(AccountLogEntrySchema))
    next_before = fields.Integer(allow_none=True, metadata={
        "description": "Pass as `before` for the next page; null on the last page."})


@blp.route("/audit/account-log")
class AccountLogResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN)
    @blp.arguments(AccountLogQuerySchema, location="query")
    @blp.response(200, AccountLogSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Sign-ins, refused sign-ins and codes, refused requests and changes to people,
        settings and the rubric: everything outside any family, newest first
        (administrators)."""
        return account_log(before=query.get("before"), action=query.get("action"),
                           person=query.get("person"), limit=query["limit"])
