from marshmallow import ValidationError, fields, validate, validates_schema

from homelog.core.schemas import (
    FastOutSchema,
    Id,
    OutSchema,
    StrictBoolean,
    StrictSchema,
    UniqueList,
)
from homelog.core.time import local_date, to_utc
from homelog.rubric.scale import HIGHEST, LOWEST
from homelog.rubric.schemas import RubricOutSchema, ScaleOutSchema
from homelog.visits import limits
from homelog.visits.services import EVENT_KINDS, PRESENT_OPTIONS

_KEY = fields.String(validate=validate.Length(min=1, max=40))


class AwareDateTime(fields.DateTime):
    """ISO 8601, returned in UTC; a time without an offset is partnership local time."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        try:
            instant = to_utc(parsed)  # 9999-12-31T23:59-01:00 has no UTC equivalent,
            local_date(instant)  # and in London 0001-01-01T00:00Z is still year 0
        except OverflowError as error:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from error
        return instant


def _present(**options: object) -> UniqueList:
    return UniqueList(fields.String(validate=validate.OneOf(PRESENT_OPTIONS)), **options)


def _scores(**options: object) -> fields.Dict:
    level = fields.Integer(strict=True, allow_none=True,
                           validate=validate.Range(min=LOWEST, max=HIGHEST))
    return fields.Dict(keys=_KEY, values=level, **options)


def _notes(**options: object) -> fields.String:
    return fields.String(validate=validate.Length(max=limits.TEXT_CEILING), **options)


def _child_presentation(**options: object) -> fields.String:
    return fields.String(validate=validate.Length(max=limits.CHILD_PRESENTATION_MAX), **options)


class VisitInSchema(StrictSchema):
    visited_at = AwareDateTime(required=True)
    announced = StrictBoolean(required=True)
    present = _present(required=True)
    rooms_seen = UniqueList(_KEY, required=True)
    scores = _scores(required=True)
    concerns = UniqueList(_KEY, load_default=list)
    notes = _notes(load_default="")
    child_presentation = _child_presentation(load_default="")
    rubric_version = Id(
        load_default=None,
        metadata={"description": "The rubric version the visit was scored with "
                                 "(defaults to the current one; lets offline phones sync)."},
    )


class AmendmentInSchema(StrictSchema):
    """The reason, and only the fields being corrected; the rest are kept from the visit."""

    reason = fields.String(required=True, validate=validate.Length(
        min=limits.AMENDMENT_REASON_MIN, max=limits.AMENDMENT_REASON_MAX))
    visited_at = AwareDateTime()
    announced = StrictBoolean()
    present = _present()
    rooms_seen = UniqueList(_KEY)
    scores = _scores(
        metadata={"description": "Only the domains being corrected; others keep their score."}
    )
    concerns = UniqueList(_KEY)
    notes = _notes()
    child_presentation = _child_presentation()

    @validates_schema
    def _reason_not_blank(self, data: dict, **_: object) -> None:
        if not data.get("reason", "").strip():
            raise ValidationError("Say why the visit is being amended.", "reason")


class EventInSchema(StrictSchema):
    occurred_at = AwareDateTime(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    summary = fields.String(required=True,
                            validate=validate.Length(min=1, max=limits.EVENT_SUMMARY_MAX))
    source = fields.String(load_default="", validate=validate.Length(max=limits.EVENT_SOURCE_MAX))


class TimelineQuerySchema(StrictSchema):
    page = fields.Integer(strict=False, load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class AgencyRefSchema(FastOutSchema):
    id = fields.Integer()
    name = fields.String()


class PersonRefSchema(FastOutSchema):
    id = fields.Integer()
    name = fields.String()
    profession = fields.String()
    profession_label = fields.String()


class _RecordedOut(FastOutSchema):
    """Who recorded something, and when."""

    id = fields.Integer()
    recorded_at = fields.DateTime()
    agency = fields.Nested(AgencyRefSchema)
    author = fields.Nested(PersonRefSchema)


class _ObservationsOut(FastOutSchema):
    """What a visit (or amendment) recorded."""

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


class VisitOutSchema(_RecordedOut, _ObservationsOut):
    family_id = fields.Integer()
    visited_at = fields.DateTime()


class EventOutSchema(_RecordedOut):
    family_id = fields.Integer()
    occurred_at = fields.DateTime()
    kind = fields.String()
    summary = fields.String()
    source = fields.String()


class _MemberRefSchema(PersonRefSchema):
    agency = fields.Nested(AgencyRefSchema)


class TimelineItemSchema(_RecordedOut, _ObservationsOut):
    """A visit, an amendment, an event or a change to the family's record, core group or
    agreement: `type` says which, and so which fields are present."""

    type = fields.String(metadata={"enum": ["visit", "amendment", "event", "change"]})
    at = fields.DateTime()
    kind = fields.String(metadata={"description": "An event's kind; for a change: opened, "
                                   "details_changed, closed, reopened, member_joined, "
                                   "member_left, lead_changed or agreement_revised."})
    summary = fields.String(metadata={"description": "An event's summary; for a change, "
                                      "what happened in one sentence."})
    source = fields.String()
    lines = fields.List(fields.String(), metadata={
        "description": "A change's details in words (each field from what to what)."})
    reason = fields.String(metadata={"description": "Why a change was made."})
    member = fields.Nested(_MemberRefSchema, allow_none=True, metadata={
        "description": "For a core-group change, the member it concerns."})
    revision = fields.Integer(metadata={"description": "An agreement revision's number."})


class MissingAgencyOutSchema(OutSchema):
    agency = fields.Nested(AgencyRefSchema)
    visits = fields.Integer(metadata={"description": "Visits in the last 90 days."})
    last_visit_at = fields.DateTime()


class TimelineOutSchema(FastOutSchema):
    items = fields.List(fields.Nested(TimelineItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()


class _KitChildSchema(OutSchema):
    initials = fields.String()
    age_months = fields.Integer(metadata={"description": "Whole months since birth (the date "
                                                         "of birth itself stays on the server)."})


class _KitFamilySchema(OutSchema):
    id = fields.Integer()
    reference = fields.String()
    opened_on = fields.Date()
    children = fields.List(fields.Nested(_KitChildSchema))
    agreed_levels = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "The family's agreed level per domain (the rubric's good-enough level "
                       "where nothing has been agreed)."})


class _LimitsOutSchema(OutSchema):
    clock_skew_seconds = fields.Integer(metadata={
        "description": "How far ahead of the server's clock a visit or event time is still "
                       "accepted (a phone's clock running fast)."})
    notes_max = fields.Integer(metadata={"description": "A visit's notes, in characters."})
    child_presentation_max = fields.Integer(metadata={
        "description": "A visit's note of how the children presented, in characters."})
    amendment_reason_max = fields.Integer(metadata={
        "description": "The reason an amendment gives, in characters."})
    summary_max = fields.Integer(metadata={"description": "An event's summary, in characters."})
    source_max = fields.Integer(metadata={"description": "An event's source, in characters."})
    caption_max = fields.Integer(metadata={"description": "A photo's caption, in characters."})
    discard_reason_max = fields.Integer(metadata={
        "description": "Why a queued visit or photo is discarded, in characters."})


class AppSettingsOutSchema(OutSchema):
    scale = fields.Nested(ScaleOutSchema)
    limits = fields.Nested(_LimitsOutSchema)
    time_zone = fields.String(metadata={
        "description": "The partnership's IANA time zone: times are entered and shown in it, "
                       "whatever the phone's own setting."})


class OfflineKitOutSchema(OutSchema):
    rubric = fields.Nested(RubricOutSchema)
    families = fields.List(fields.Nested(_KitFamilySchema))
    settings = fields.Nested(AppSettingsOutSchema, metadata={
        "description": "The same as GET /app-settings, for a phone with no signal."})


class DiscardInSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["visit", "photo"]))
    idempotency_key = fields.UUID(required=True, metadata={
        "description": "The key the discarded submission was queued with."})
    family_id = Id(load_default=None, allow_none=True)
    visit_id = Id(load_default=None, allow_none=True, metadata={
        "description": "For a photo: the visit it was for."})
    queued_at = AwareDateTime(required=True)
    reason = fields.String(required=True, validate=validate.Length(
        min=limits.DISCARD_REASON_MIN, max=limits.DISCARD_REASON_MAX))
    last_problem = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _reason_not_blank(self, data: dict, **_: object) -> None:
        if not data.get("reason", "").strip():
            raise ValidationError("Say why this is being discarded.", "reason")


class DiscardOutSchema(OutSchema):
    kind = fields.String()
    idempotency_key = fields.String()
    recorded_visit_id = fields.Integer(allow_none=True, metadata={
        "description": "If the server did record a visit with this key: its id."})
