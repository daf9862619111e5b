from marshmallow import (
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from homelog.core.schemas import OutSchema, StrictSchema, WholeMatch
from homelog.rubric.scale import HIGHEST, LOWEST

_KEY = WholeMatch(r"[a-z][a-z0-9_]{0,39}", error="Use lower-case letters, digits and _.")
_LEVEL = validate.Range(min=LOWEST, max=HIGHEST)


# In a rubric file: messages a person editing the file can act on ("level 6 is outside 1-5").
_FILE_LEVEL = validate.Range(min=LOWEST, max=HIGHEST,
                             error=f"{{input}} is outside {LOWEST}-{HIGHEST}")


class ScaleFileSchema(StrictSchema):
    best = fields.Integer(required=True, validate=validate.Equal(1, error="must be 1"))
    worst = fields.Integer(required=True, validate=validate.Equal(5, error="must be 5"))
    good_enough_max = fields.Integer(required=True, validate=_FILE_LEVEL)
    borderline = fields.Integer(required=True, validate=_FILE_LEVEL)
    # Kept as written (versions never change), but the threshold is the partnership's
    # concern level (rubric/scale.py): the rubric API reports that in its place.
    concern_min = fields.Integer(required=True, validate=_FILE_LEVEL)


class DomainFileSchema(StrictSchema):
    key = fields.String(required=True, validate=_KEY)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    good_enough_level = fields.Integer(required=True, strict=True, validate=_FILE_LEVEL)
    levels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["1", "2", "3", "4", "5"],
                                                   error="level {input} is outside 1-5")),
        values=fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        validate=validate.Length(equal=5, error="Give exactly five level descriptors, 1 to 5."),
    )
    # Which domain(s) of the previous version this one carries on (rubric/mapping.py):
    # absent, the previous domain with the same key; [] a new domain.
    continues = fields.List(fields.String(validate=_KEY), load_default=None,
                            validate=validate.Length(max=40), metadata={
        "description": "Keys of the previous version's domains this domain continues "
                       "(a rename: one; a split: the same one in two domains; a merge: "
                       "two). Absent: the previous domain with the same key, if any."})


class ConcernFileSchema(StrictSchema):
    key = fields.String(required=True, validate=_KEY)
    label = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    safe_sleep = fields.Boolean(load_default=False)


class RoomFileSchema(StrictSchema):
    key = fields.String(required=True, validate=_KEY)
    label = fields.String(required=True, validate=validate.Length(min=1, max=100))


def _unique_keys(items: list[dict], field: str) -> None:
    # Each repeat is named where it is (its index), so a file's problem has a line.
    seen: set[str] = set()
    repeats: dict[int, dict[str, list[str]]] = {}
    for index, item in enumerate(items):
        key = item.get("key")
        if key in seen:
            repeats[index] = {"key": [f"'{key}' is used twice"]}
        seen.add(key)
    if repeats:
        raise ValidationError(repeats, field)


class RubricFileSchema(StrictSchema):
    """The shape of a rubric data file (see rubric/data/default_rubric.json)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="")
    scale = fields.Nested(ScaleFileSchema, required=True)
    domains = fields.List(fields.Nested(DomainFileSchema), required=True,
                          validate=validate.Length(min=1, max=40))
    concerns = fields.List(fields.Nested(ConcernFileSchema), required=True)
    rooms = fields.List(fields.Nested(RoomFileSchema), required=True)
    retired = fields.List(fields.String(validate=_KEY), load_default=list,
                          validate=validate.Length(max=40), metadata={
        "description": "Keys of the previous version's domains that no domain continues: "
                       "their scores stay on old visits but are no longer charted."})

    @validates_schema
    def _keys_unique(self, data: dict, **_: object) -> None:
        for field in ("domains", "concerns", "rooms"):
            _unique_keys(data.get(field, []), field)


class BandOutSchema(OutSchema):
    key = fields.String(metadata={"enum": ["good_enough", "borderline", "concern"]})
    label = fields.String()
    lowest = fields.Integer()
    highest = fields.Integer()


class ScaleOutSchema(OutSchema):
    """The scoring scale in force (rubric/scale.py)."""

    lowest = fields.Integer(metadata={"description": "The best score."})
    highest = fields.Integer(metadata={"description": "The worst score."})
    good_enough_max = fields.Integer(metadata={
        "description": "Good enough up to this score where a family has no agreed level."})
    concern_min = fields.Integer(metadata={
        "description": "The partnership's concern level: a score at or worse than this is "
                       "a concern (3 to 5, chosen by the administrator)."})
    bands = fields.List(fields.Nested(BandOutSchema), metadata={
        "description": "Good enough, borderline and concern, best first; an empty band (no "
                       "borderline when the concern level is 3) is left out."})


class RubricOutSchema(OutSchema):
    version = fields.Integer()
    name = fields.String()
    description = fields.String()
    scale = fields.Dict()
    domains = fields.List(fields.Dict())
    concerns = fields.List(fields.Dict())
    rooms = fields.List(fields.Dict())


class AgreementInSchema(StrictSchema):
    agreed_on = fields.Date(required=True)
    levels = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(strict=True, validate=_LEVEL),
        required=True,
    )
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    shared_with_parents_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "When the parents were given their copy (empty: not yet)."})
    attendees = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list, validate=validate.Length(max=60),
        metadata={"description": "Who was at the meeting, one person a line: core group "
                                 "members and parents or carers (\"Mother\", \"Name, "
                                 "health visitor, agency\")."},
    )

    @validates("attendees")
    def _attendees_named_once(self, value: list[str], **_: object) -> None:
        names = [line.strip() for line in value]
        if any(not name for name in names):
            raise ValidationError("Leave out empty lines.")
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValidationError(f"Listed more than once: {', '.join(twice)}.")

    @post_load
    def _trimmed(self, data: dict, **_: object) -> dict:
        data["attendees"] = [line.strip() for line in data["attendees"]]
        return data


class AgreedLevelSchema(OutSchema):
    domain_key = fields.String()
    domain_name = fields.String()
    expected_level = fields.Integer()
    descriptor = fields.String()


class LevelChangeSchema(OutSchema):
    domain_key = fields.String()
    domain_name = fields.String()
    before = fields.Integer()
    after = fields.Integer()


class AgreementRevisionOutSchema(OutSchema):
    revision = fields.Integer()
    agreed_on = fields.Date(allow_none=True)
    rubric_version = fields.Integer()
    levels = fields.List(fields.Nested(AgreedLevelSchema))
    changes = fields.List(fields.Nested(LevelChangeSchema), metadata={
        "description": "Domains whose level differs from the revision before (the first "
                       "revision: from the rubric's good-enough levels)."})
    attendees = fields.List(fields.String(), metadata={"description": "Who was at the meeting."})
    note = fields.String()
    shared_with_parents_on = fields.Date(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime(allow_none=True)


class AgreementOutSchema(OutSchema):
    family_id = fields.Integer()
    is_default = fields.Boolean(
        metadata={"description": "True until the core group records an agreement: "
                                 "the levels shown are the rubric's good-enough defaults."}
    )
    may_revise = fields.Boolean(metadata={
        "description": "Whether the signed-in user may record a revision."})
    current = fields.Nested(AgreementRevisionOutSchema)
    history = fields.List(fields.Nested(AgreementRevisionOutSchema))
