import re

from marshmallow import ValidationError, fields, validate, validates

from homelog.accounts.schemas import AgencyOutSchema
from homelog.core.schemas import MAX_ID, Id, OutSchema, StrictSchema, WholeMatch
from homelog.families.break_glass import REASON_MAX_CHARS
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


_REFERENCE_RULES = [validate.Length(min=1, max=40),
                    WholeMatch(r"[A-Za-z0-9][A-Za-z0-9\-/]*",
                               error="Use letters, digits, '-' and '/' only.")]


class FamilyInSchema(StrictSchema):
    reference = fields.String(required=True, validate=_REFERENCE_RULES)
    address = fields.String(load_default="", validate=validate.Length(max=500))
    children = fields.List(fields.Nested(ChildInSchema), required=True,
                           validate=validate.Length(min=1, max=20))
    plan = fields.Nested(PlanInSchema, required=True)
    opened_on = fields.Date(required=True)


class ChildEditSchema(ChildInSchema):
    id = Id(load_default=None, allow_none=True, metadata={
        "description": "A child already recorded (to correct); leave out for a child to add."})


class PlanEditSchema(StrictSchema):
    category = fields.String(validate=validate.OneOf(PLAN_CATEGORIES))
    started_on = fields.Date()


class FamilyEditSchema(StrictSchema):
    """The details to change; fields left out stay as they are."""

    reference = fields.String(validate=_REFERENCE_RULES)
    address = fields.String(validate=validate.Length(max=500))
    children = fields.List(fields.Nested(ChildEditSchema), validate=validate.Length(min=1, max=20),
                           metadata={"description": "Every child: those recorded (with their id), "
                                                    "corrected as need be, and any to add."})
    plan = fields.Nested(PlanEditSchema)
    opened_on = fields.Date()
    reason = fields.String(validate=validate.Length(max=1000),
                           metadata={"description": "Why (kept in the family's history)."})


class ReasonInSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=1000),
                           metadata={"description": "Why (kept in the family's history and "
                                                    "shown on its timeline)."})

    @validates("reason")
    def _not_blank(self, value: str, **_: object) -> None:
        if len(value.strip()) < 3:
            raise ValidationError("Say why, in a few words.")


class LeadInSchema(StrictSchema):
    user_id = Id(required=True, metadata={"description": "A lead social worker in the core "
                                                         "group."})


class FamiliesQuerySchema(StrictSchema):
    status = fields.String(load_default="open",
                           validate=validate.OneOf(["open", "closed", "all"]),
                           metadata={"description": "Open families (the default), closed "
                                                    "ones, or all."})


class PeopleQuerySchema(StrictSchema):
    search = fields.String(load_default="", validate=validate.Length(max=100), metadata={
        "description": "Words each found in the person's name or agency."})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class PersonFoundSchema(OutSchema):
    id = fields.Integer()
    name = fields.String()
    profession_label = fields.String()
    role = fields.String()
    agency = fields.Nested(AgencyOutSchema)


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
    closed_at = fields.DateTime(allow_none=True, metadata={
        "description": "When the family's record was closed (null while open)."})
    closed_reason = fields.String(allow_none=True)


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
    access_basis = fields.String(metadata={
        "enum": ["core_group_lead", "core_group_member", "break_glass"],
        "description": "Why you may open this family."})
    break_glass_until = fields.DateTime(allow_none=True, metadata={
        "description": "When your break-glass access ends (null unless by break-glass)."})
    may_manage = fields.Boolean(metadata={
        "description": "Whether you may change the family's details, close or reopen it and "
                       "change its core group (its lead and managers in its core group)."})


class MemberInSchema(StrictSchema):
    user_id = Id(required=True)


class AccessLogQuerySchema(StrictSchema):
    before = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1), metadata={
        "description": "Only entries older than this one (the last id of the page before)."})
    person = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                            metadata={"description": "Only this user's entries."})
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=500))


class WhoViewedQuerySchema(AccessLogQuerySchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AccessLogEntrySchema(OutSchema):
    id = fields.Integer()
    at = fields.DateTime()
    user_id = fields.Integer()
    agency_id = fields.Integer()
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer()
    basis = fields.String()


class BreakGlassInSchema(StrictSchema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=40),
                              metadata={"description": "The family's reference."})
    reason = fields.String(required=True, validate=validate.Length(max=REASON_MAX_CHARS * 2),
                           metadata={"description": "Why you need to open it (at least 20 "
                                                    "characters); the family's lead reads it."})


class GrantedFamilySchema(OutSchema):
    id = fields.Integer()
    opened_on = fields.Date()


class BreakGlassGrantSchema(OutSchema):
    family_id = fields.Integer(metadata={"description": "The family opened last of those "
                                                        "with this reference."})
    reference = fields.String()
    until = fields.DateTime(metadata={"description": "When the access ends."})
    families = fields.List(fields.Nested(GrantedFamilySchema), metadata={
        "description": "Every family with this reference now open to you (more than one "
                       "when families were opened with the same reference), newest first."})


class ViewerAgencySchema(OutSchema):
    id = fields.Integer()
    name = fields.String()


class PersonSchema(OutSchema):
    id = fields.Integer()
    name = fields.String()
    profession_label = fields.String()
    agency = fields.Nested(ViewerAgencySchema)


class ViewingSchema(OutSchema):
    id = fields.Integer()
    at = fields.DateTime()
    person = fields.Nested(PersonSchema, allow_none=True,
                           metadata={"description": "null for the system"})
    action = fields.String()
    what = fields.String(metadata={"description": "The action in plain words."})
    basis = fields.String()
    basis_words = fields.String(metadata={"description": "The basis in plain words."})
    reason = fields.String(allow_none=True,
                           metadata={"description": "The reason given, for a break-glass "
                                                    "opening."})


class WhoViewedSchema(OutSchema):
    entries = fields.List(fields.Nested(ViewingSchema))
    next_before = fields.Integer(allow_none=True, metadata={
        "description": "Pass as `before` for the next page; null after the last."})
    people = fields.List(fields.Nested(PersonSchema),
                         metadata={"description": "Everyone in the report, to filter by."})
