from marshmallow import fields, validate

from homelog.core.schemas import OutSchema, StrictSchema

REASON_MAX_CHARS = 2000


class HoldReasonSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(max=REASON_MAX_CHARS),
                           metadata={"description": "Why (at least 10 characters): the "
                                     "court case or request that needs the records kept, "
                                     "or why they no longer need to be."})


class LegalHoldSchema(OutSchema):
    id = fields.Integer()
    reason = fields.String()
    placed_by_id = fields.Integer()
    placed_at = fields.DateTime()
    lifted_by_id = fields.Integer(allow_none=True)
    lifted_at = fields.DateTime(allow_none=True)
    lift_reason = fields.String(allow_none=True)


class LegalHoldsSchema(OutSchema):
    on_hold = fields.Boolean(metadata={"description": "Whether a hold is in force now."})
    holds = fields.List(fields.Nested(LegalHoldSchema),
                        metadata={"description": "Every hold the family has had, newest "
                                  "first."})
