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


class InboxNewsSchema(OutSchema):
    change = fields.String(metadata={
        "enum": ["new", "back", "worse", "better", "resolved", "break_glass",
                 "reference_shared"],
        "description": "back: a concern responded to and closed lately, come back worse "
                       "than it was then. break_glass: a manager opened the family; the "
                       "title names them and the sentence is the reason they gave. "
                       "reference_shared: someone (the title) opened a new family with "
                       "this family's reference."})
    title = fields.String(metadata={"description": "What the concern is about."})
    severity = fields.String(metadata={"description": "The concern's (for resolved: what "
                                                      "it was)."})
    sentence = fields.String()


class InboxEntrySchema(OutSchema):
    id = fields.Integer()
    kind = fields.String(metadata={
        "enum": ["news", "opened", "reopened", "escalated", "escalated_glass", "break_glass",
                 "reference_shared"],
        "description": "news: what an engine run changed in one of your families' concerns "
                       "(one entry per family per run); opened or reopened: an immediate "
                       "concern, told at once on its own; escalated: a flag passed to you; "
                       "escalated_glass: a flag passed to you for a family whose core group "
                       "you are not in (open it by break-glass, with its reference); "
                       "break_glass: a manager opened your family by break-glass (news says "
                       "who and why); reference_shared: a new family was opened with the "
                       "reference of your family, by someone who cannot open yours (news "
                       "says who)."})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    family = fields.Nested(InboxFamilySchema)
    flag = fields.Nested(InboxFlagSchema, allow_none=True)
    news = fields.List(fields.Nested(InboxNewsSchema), allow_none=True)
