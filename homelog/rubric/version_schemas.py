"""What the API takes and gives for the rubric's versions (the administrator's screen)."""

from marshmallow import fields, validate

from homelog.core.schemas import OutSchema, StrictSchema
from homelog.rubric.loading import MAX_FILE_CHARACTERS
from homelog.rubric.schemas import RubricOutSchema


class RubricFileUploadSchema(StrictSchema):
    file_name = fields.String(load_default="", validate=validate.Length(max=255), metadata={
        "description": "The name of the file on the administrator's computer (for the record)."})
    text = fields.String(required=True, validate=validate.Length(
        min=1, max=MAX_FILE_CHARACTERS,
        error=f"The file must have between 1 and {MAX_FILE_CHARACTERS:,} characters."),
        metadata={"description": "The file's text: the JSON that `flask rubric load` reads. "
                                 "Problems come back under `fields.file`, one a line: "
                                 "\"line 14: domain 'kitchen': level 6 is outside 1-5\"."})


class RubricVersionSummarySchema(OutSchema):
    version = fields.Integer()
    name = fields.String()
    loaded_at = fields.DateTime()
    loaded_by = fields.String()
    current = fields.Boolean()


class RubricVersionListSchema(OutSchema):
    current_version = fields.Integer()
    versions = fields.List(fields.Nested(RubricVersionSummarySchema))


class DomainContinuesSchema(OutSchema):
    key = fields.String()
    continues = fields.List(fields.String(), metadata={
        "description": "The previous version's domains this one carries on (empty: new)."})


class RubricVersionOutSchema(RubricOutSchema):
    loaded_at = fields.DateTime()
    loaded_by = fields.String()
    current = fields.Boolean()
    previous_version = fields.Integer(allow_none=True)
    continues = fields.List(fields.Nested(DomainContinuesSchema), metadata={
        "description": "Per domain, the previous version's domains it continues: charts and "
                       "the engine read older visits' scores under this version's domains."})
    retired = fields.List(fields.String(), metadata={
        "description": "The previous version's domains no domain continues."})
