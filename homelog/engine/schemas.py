from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates

from homelog.core.schemas import FastOutSchema, Id, OutSchema, StrictBoolean, StrictSchema
from homelog.engine.models import FlagState
from homelog.engine.parameters import CATALOGUE
from homelog.engine.steps.analysis import FlagKind, Severity
from homelog.families.schemas import FamilySummarySchema

STATES = [state.value for state in FlagState]


class FlagQuerySchema(StrictSchema):
    state = fields.String(validate=validate.OneOf(STATES),
                          metadata={"description": "Only flags in this state."})


class AcknowledgeInSchema(StrictSchema):
    response = fields.String(
        required=True, validate=validate.Length(min=1, max=5000),
        metadata={"description": "What the core group decided (recorded with who and when)."})
    close = StrictBoolean(
        load_default=False,
        metadata={"description": "Close the flag as well. The only way a safe-sleep flag "
                                 "closes; an acknowledged flag can be closed later."})

    @validates("response")
    def _not_blank(self, value: str, **_: object) -> None:
        if not value.strip():
            raise ValidationError("Say what was decided.")


class AcknowledgeConcernInSchema(AcknowledgeInSchema):
    flag_ids = fields.List(
        Id(), required=True, validate=validate.Length(min=1, max=500),
        metadata={"description": "The concern's `flag_ids`, as shown: the response is "
                                 "recorded on every one of them."})


class NamedRefSchema(FastOutSchema):
    id = fields.Integer()
    name = fields.String()


class DomainRefSchema(FastOutSchema):
    key = fields.String()
    name = fields.String()


class AcknowledgementSchema(FastOutSchema):
    by = fields.Nested(NamedRefSchema)
    at = fields.DateTime()
    response = fields.String()


class ClosureSchema(FastOutSchema):
    at = fields.DateTime()
    reason = fields.String(metadata={"enum": ["no_longer_true", "closed_by_person"]})
    by = fields.Nested(NamedRefSchema, allow_none=True)
    note = fields.String(allow_none=True)


class FlagOutSchema(FastOutSchema):
    id = fields.Integer()
    family_id = fields.Integer()
    kind = fields.String(metadata={"enum": [kind.value for kind in FlagKind]})
    severity = fields.String(metadata={"enum": [severity.value for severity in Severity]})
    state = fields.String(metadata={"enum": STATES})
    domains = fields.List(fields.Nested(DomainRefSchema))
    evidence_visit_ids = fields.List(fields.Integer())
    agency_ids = fields.List(fields.Integer(), metadata={
        "description": "Agencies the flag is about in particular (both sides of a "
                       "disagreement, a core-group agency that has not visited)."})
    became_true_at = fields.DateTime(metadata={"description": "When the visit (or the passing "
                                                              "of time) that made it true was."})
    raised_at = fields.DateTime(metadata={"description": "The instant the engine analysed."})
    explanation = fields.String()
    safe_sleep = fields.Boolean(metadata={"description": "Never closes by itself."})
    occurrence = fields.Integer(metadata={"description": "1, or how many times it has come "
                                                         "back after closing, plus one."})
    previous_id = fields.Integer(allow_none=True,
                                 metadata={"description": "The earlier occurrence."})
    acknowledgement = fields.Nested(AcknowledgementSchema, allow_none=True)
    closure = fields.Nested(ClosureSchema, allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)


class ConcernSchema(OutSchema):
    key = fields.String(metadata={"description": "Which concern: `domain:<key>`, "
                                                 "`domains:<key>+<key>...`, `visiting`, "
                                                 "`announced_gap`, `agencies_disagree`, "
                                                 "`sudden_changes` or `immediate:<flag key>`."})
    title = fields.String(metadata={"description": "What it is about, e.g. the domain's name."})
    severity = fields.String(metadata={"enum": [severity.value for severity in Severity],
                                       "description": "The highest of its flags'."})
    sentence = fields.String(metadata={"description": "The strongest evidence, in one "
                                                      "sentence."})
    domain = fields.Nested(DomainRefSchema, allow_none=True, metadata={
        "description": "The domain, when the concern is about exactly one."})
    domains = fields.List(fields.Nested(DomainRefSchema), metadata={
        "description": "Every domain it is about, worst first: domains in the same state "
                       "(say, worse than agreed and getting worse) are one concern."})
    immediate = fields.Boolean(metadata={"description": "An immediate concern: never merged "
                                                        "with anything, listed first."})
    safe_sleep = fields.Boolean()
    state = fields.String(metadata={"enum": [FlagState.OPEN.value,
                                             FlagState.ACKNOWLEDGED.value],
                                    "description": "Open while any of its flags is open."})
    flag_ids = fields.List(fields.Integer(), metadata={
        "description": "Every flag behind it, strongest first."})
    occurrence = fields.Integer(metadata={
        "description": "1, or how many times it has come back after closing (the highest "
                       "occurrence of its flags)."})
    flags = fields.List(fields.Nested(FlagOutSchema))


class ConcernsOutSchema(OutSchema):
    family_id = fields.Integer()
    picture = fields.List(fields.String(), metadata={
        "description": "Two to four sentences: where the family stands against the "
                       "agreement, the worst areas, the trend, the announced/unannounced gap, "
                       "who has not visited."})
    concerns = fields.List(fields.Nested(ConcernSchema))


class TrendPointSchema(OutSchema):
    date = fields.Date()
    at = fields.DateTime()
    score = fields.Integer()
    agency = fields.Nested(NamedRefSchema)
    announced = fields.Boolean()
    visit_id = fields.Integer()
    agreed_level = fields.Integer(metadata={
        "description": "The agreed level in force on the visit's date."})


class AgreedStepSchema(OutSchema):
    starts = fields.Date(allow_none=True, metadata={
        "description": "The date this level was agreed (null: before any agreement, the "
                       "rubric's good-enough level)."})
    level = fields.Integer()


class MedianPointSchema(OutSchema):
    date = fields.Date()
    at = fields.DateTime()
    value = fields.Float()


class DomainTrendSchema(OutSchema):
    key = fields.String()
    name = fields.String()
    agreed_level = fields.Integer(metadata={"description": "The agreed level in force now."})
    agreed_levels = fields.List(fields.Nested(AgreedStepSchema), metadata={
        "description": "The agreed level over time, oldest first: a revision changes the "
                       "level from its agreed-on date."})
    good_enough_level = fields.Integer()
    points = fields.List(fields.Nested(TrendPointSchema))
    rolling_median = fields.List(fields.Nested(MedianPointSchema))
    crossings_90_days = fields.Integer()
    days_at_concern_since_plan = fields.Integer()
    sustained_improvement = fields.Boolean(metadata={
        "description": "Worse than agreed before, and good enough long enough since "
                       "(3 visits over 4 weeks, one unannounced, by default) to count."})


class AgencyRecencySchema(OutSchema):
    agency = fields.Nested(NamedRefSchema)
    days_since_last_visit = fields.Integer(allow_none=True)


class FamilyMetricsSchema(OutSchema):
    crossings_90_days = fields.Integer(metadata={"description": "All domains together."})
    announced_gap = fields.Float(allow_none=True, metadata={
        "description": "Mean unannounced minus mean announced score; positive is worse."})
    days_at_concern_since_plan = fields.Integer()
    days_since_last_visit = fields.Integer(allow_none=True)
    days_since_last_unannounced = fields.Integer(allow_none=True)
    agencies = fields.List(fields.Nested(AgencyRecencySchema))


class TrendsOutSchema(OutSchema):
    family_id = fields.Integer()
    as_of = fields.DateTime()
    domains = fields.List(fields.Nested(DomainTrendSchema))
    metrics = fields.Nested(FamilyMetricsSchema)


class ParameterOutSchema(OutSchema):
    name = fields.String()
    value = fields.Float()
    default = fields.Float()
    minimum = fields.Float()
    maximum = fields.Float()
    unit = fields.String()
    description = fields.String(metadata={"description": "What it does, in plain words."})
    label = fields.String(metadata={"description": "A short name for it, in plain words."})
    group = fields.String(metadata={"description": "The heading it is shown under."})
    whole_number = fields.Boolean(metadata={"description": "Only whole numbers are taken."})


class ParametersOutSchema(OutSchema):
    parameters = fields.List(fields.Nested(ParameterOutSchema))


class ParameterHistoryQuerySchema(StrictSchema):
    before = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1), metadata={
        "description": "Only changes older than this one (`next_before` of the page before)."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ParameterChangeSchema(OutSchema):
    name = fields.String()
    label = fields.String()
    unit = fields.String()
    from_ = fields.Float(data_key="from", attribute="from", allow_none=True)
    to = fields.Float(allow_none=True)


class ParameterHistoryEntrySchema(OutSchema):
    id = fields.Integer()
    at = fields.DateTime()
    by = fields.Nested(NamedRefSchema, allow_none=True,
                       metadata={"description": "Who made the change (null: the system)."})
    changes = fields.List(fields.Nested(ParameterChangeSchema))


class ParameterHistorySchema(OutSchema):
    entries = fields.List(fields.Nested(ParameterHistoryEntrySchema))
    next_before = fields.Integer(allow_none=True, metadata={
        "description": "Pass as `before` for the next page; null on the last page."})


def _parameter_field(name: str) -> fields.Field:
    setting = CATALOGUE[name]
    options = {
        "validate": validate.Range(min=setting.minimum, max=setting.maximum),
        "metadata": {"description": f"{setting.description} ({setting.unit}; "
                                    f"default {setting.default})"},
    }
    if setting.is_integer:
        return fields.Integer(strict=True, **options)
    return fields.Float(**options)


# Every parameter as an optional field: the document lists them with their ranges, and
# anything else is refused by name.
ParametersInSchema = StrictSchema.from_dict(
    {name: _parameter_field(name) for name in CATALOGUE}, name="ParametersInSchema")


class CaseloadEntrySchema(OutSchema):
    family = fields.Nested(FamilySummarySchema)
    open_flags = fields.Integer(metadata={"description": "Flags waiting for a response."})
    most_severe_open_flag = fields.String(
        allow_none=True, metadata={"enum": [*(severity.value for severity in Severity), None],
                                   "description": "The severity of the most severe open flag."})
    days_since_last_visit = fields.Integer(allow_none=True, metadata={
        "description": "Whole days since the last visit by anyone (null: never visited)."})
    days_since_last_unannounced = fields.Integer(allow_none=True, metadata={
        "description": "Whole days since the last unannounced visit (null: none yet)."})
