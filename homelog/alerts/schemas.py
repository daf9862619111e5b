from __future__ import annotations

from marshmallow import fields, validate

from homelog.core.schemas import OutSchema, StrictSchema
from homelog.engine.schemas import STATES


class QueryBoolean(fields.Boolean):
    """`true` or `false` in a query string, and nothing else (no guessing at "yes" or 1)."""

    default_error_messages = {"invalid": "Must be true or false."}

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object
                     ) -> bool:
        words = {"true": True, "false": False}
        if not isinstance(value, str) or value not in words:
            raise self.make_error("invalid")
        return words[value]


class InboxQuerySchema(StrictSchema):
    unread = QueryBoolean(load_default=False,
                          metadata={"description": "Only entries not yet marked read."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class InboxFamilySchema(OutSchema):
    id = fields.Integer()
    reference = fields.String()


class InboxFlagSchema(OutSchema):
    id = fields.Integer()
    kind = fields.String()
    severity = fields.String()
    state = fields.String(metadata={"enum": STATES})


class InboxEntrySchema(OutSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["opened", "reopened", "escalated"],
                                   "description": "A flag opened or raised again for one of "
                                                  "your families, or escalated to you."})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    family = fields.Nested(InboxFamilySchema)
    flag = fields.Nested(InboxFlagSchema)
