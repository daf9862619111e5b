from marshmallow import ValidationError, fields, validate, validates_schema

from homelog.core.schemas import Id, OutSchema, StrictBoolean, StrictSchema, UniqueList
from homelog.core.time import to_utc
from homelog.visits.services import EVENT_KINDS, PRESENT_OPTIONS

_KEY = fields.String(validate=validate.Length(min=1, max=40))
# A hard ceiling so no absurd body is ever parsed further; the partnership's own, lower,
# limit (HOMELOG_NOTES_MAX_CHARS) is checked by the service with a clear message.
_TEXT_CEILING = 100_000


class AwareDateTime(fields.DateTime):
    """ISO 8601, returned in UTC; a time without an offset is partnership local time."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        try:
            return to_utc(parsed)
        except OverflowError as error:  # e.g. 9999-12-31T23:59-01:00 has no UTC equivalent
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from error


class VisitInSchema(StrictSchema):
    visited_at = AwareDateTime(required=True)
    announced = StrictBoolean(required=True)
    present = UniqueList(fields.String(validate=validate.OneOf(PRESENT_OPTIONS)), required=True)
    rooms_seen = UniqueList(_KEY, required=True)
    scores = fields.Dict(
        keys=_KEY,
        values=fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=5)),
        required=True,
    )
    concerns = UniqueList(_KEY, load_default=list)
    notes = fields.String(load_default="", validate=validate.Length(max=_TEXT_CEILING))
    child_presentation = fields.String(load_default="", validate=validate.Length(max=2000))
    rubric_version = Id(
        load_default=None,
        metadata={"description": "The rubric version the visit was scored with "
                                 "(defaults to the current one; lets offline phones sync)."},
    )


class AmendmentInSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))
    visited_at = AwareDateTime()
    announced = StrictBoolean()
    present = UniqueList(fields.String(validate=validate.OneOf(PRESENT_OPTIONS)))
    rooms_seen = UniqueList(_KEY)
    scores = fields.Dict(
        keys=_KEY,
        values=fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=5)),
        metadata={"description": "Only the domains being corrected; others keep their score."},
    )
    concerns = UniqueList(_KEY)
    notes = fields.String(validate=validate.Length(max=_TEXT_CEILING))
    child_presentation = fields.String(validate=validate.Length(max=2000))

    @validates_schema
    def _reason_not_blank(self, data: dict, **_: object) -> None:
        if not data.get("reason", "").strip():
            raise ValidationError("Say why the visit is being amended.", "reason")


class EventInSchema(StrictSchema):
    occurred_at = AwareDateTime(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    source = fields.String(load_default="", validate=validate.Length(max=200))


class TimelineQuerySchema(StrictSchema):
    page = fields.Integer(strict=False, load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class AgencyRefSchema(OutSchema):
    id = fields.Integer()
    name = fields.String()


class PersonRefSchema(OutSchema):
    id = fields.Integer()
    name = fields.String()
    profession = fields.String()
    profession_label = fields.String()


class VisitOutSchema(OutSchema):
    id = fields.Integer()
    family_id = fields.Integer()
    visited_at = fields.DateTime()
    recorded_at = fields.DateTime()
    agency = fields.Nested(AgencyRefSchema)
    author = fields.Nested(PersonRefSchema)
    announced = fields.Boolean()
    present = fields.List(fields.String())
    rooms_seen = fields.List(fields.String())
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
    concerns = fields.List(fields.String())
    notes = fields.String()
    child_presentation = fields.String()
    rubric_version = fields.Integer()
    supersedes_id = fields.Integer(allow_none=True)
    amendment_reason = fields.String(allow_none=True)
    superseded_by_id = fields.Integer(allow_none=True)


class EventOutSchema(OutSchema):
    id = fields.Integer()
    family_id = fields.Integer()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()
    kind = fields.String()
    summary = fields.String()
    source = fields.String()
    agency = fields.Nested(AgencyRefSchema)
    author = fields.Nested(PersonRefSchema)


class TimelineItemSchema(OutSchema):
    type = fields.String(metadata={"enum": ["visit", "amendment", "event"]})
    id = fields.Integer()
    at = fields.DateTime()
    recorded_at = fields.DateTime()
    agency = fields.Nested(AgencyRefSchema)
    author = fields.Nested(PersonRefSchema)
    announced = fields.Boolean()
    present = fields.List(fields.String())
    rooms_seen = fields.List(fields.String())
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
    concerns = fields.List(fields.String())
    notes = fields.String()
    child_presentation = fields.String()
    rubric_version = fields.Integer()
    supersedes_id = fields.Integer(allow_none=True)
    amendment_reason = fields.String(allow_none=True)
    superseded_by_id = fields.Integer(allow_none=True)
    kind = fields.String()
    summary = fields.String()
    source = fields.String()


class TimelineOutSchema(OutSchema):
    items = fields.List(fields.Nested(TimelineItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()
