import re

from marshmallow import ValidationError, fields, validate, validates

from homelog.accounts.schemas import AgencyOutSchema
from homelog.core.schemas import Id, OutSchema, StrictSchema
from homelog.families.services import PLAN_CATEGORIES

_INITIALS = re.compile(r"[A-Za-z][A-Za-z.\- ]{0,7}")


class ChildInSchema(StrictSchema):
    initials = fields.String(required=True, validate=validate.Length(min=1, max=8))
    date_of_birth = fields.Date(required=True)

    @validates("initials")
    def _initials(self, value: str, **_: object) -> None:
        if not _INITIALS.fullmatch(value):
            raise ValidationError("Use the child's initials only (letters, up to 8).")


class PlanInSchema(StrictSchema):
    category = fields.String(required=True, validate=validate.OneOf(PLAN_CATEGORIES))
    started_on = fields.Date(required=True)


class FamilyInSchema(StrictSchema):
    reference = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=40),
                  validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9\-/]*\Z",
                                  error="Use letters, digits, '-' and '/' only.")],
    )
    address = fields.String(load_default="", validate=validate.Length(max=500))
    children = fields.List(fields.Nested(ChildInSchema), required=True,
                           validate=validate.Length(min=1, max=20))
    plan = fields.Nested(PlanInSchema, required=True)
    opened_on = fields.Date(required=True)


class ChildOutSchema(OutSchema):
    id = fields.Integer()
    initials = fields.String()
    date_of_birth = fields.Date()


class PlanOutSchema(OutSchema):
    category = fields.String()
    started_on = fields.Date()


class FamilySummarySchema(OutSchema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    opened_on = fields.Date()
    plan = fields.Nested(PlanOutSchema)
    children = fields.List(fields.Nested(ChildOutSchema))


class CoreGroupEntrySchema(OutSchema):
    user_id = fields.Integer(attribute="user.id")
    name = fields.String(attribute="user.name")
    role = fields.String(attribute="user.role")
    profession = fields.String(attribute="user.profession")
    profession_label = fields.String(attribute="user.profession_label")
    agency = fields.Nested(AgencyOutSchema)
    is_lead = fields.Boolean()


class FamilyDetailSchema(FamilySummarySchema):
    address = fields.String()
    core_group = fields.List(fields.Nested(CoreGroupEntrySchema))


class MemberInSchema(StrictSchema):
    user_id = Id(required=True)


class AccessLogEntrySchema(OutSchema):
    at = fields.DateTime()
    user_id = fields.Integer()
    agency_id = fields.Integer()
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer()
    basis = fields.String()
