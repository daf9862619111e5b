from typing import Any

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, pre_load, validate
from werkzeug.datastructures import FileStorage

from homelog.core.schemas import MAX_ID, OutSchema, StrictSchema, WholeMatch
from homelog.photos.models import DISPLAY, RENDITIONS
from homelog.visits.limits import PHOTO_CAPTION_MAX
from homelog.visits.schemas import AgencyRefSchema, PersonRefSchema

_KEY_PATTERN = WholeMatch(r"[a-z0-9_]{1,40}", error="Use a key such as 'kitchen'.")


def _printable(value: str) -> None:
    """Form fields bypass the JSON checks: refuse NUL and other control characters here."""
    if any(ord(char) < 32 and char not in "\t\n\r" for char in value):
        raise ValidationError("Must not contain control characters.")


def _a_file(value: Any) -> None:
    """The photo must come as a file part: a plain form field named "file" is text, not a
    photo (and would otherwise reach the image code as a string)."""
    if not isinstance(value, FileStorage):
        raise ValidationError("Send the photo as a file (a multipart file part), not as text.")


class PhotoUploadSchema(StrictSchema):
    """A photo upload: multipart/form-data with the file and the fields that go with it."""

    file = Upload(required=True, validate=_a_file, metadata={
        "description": "The photo: JPEG, PNG or WebP, judged by its content (not its name)."})
    domain_key = fields.String(required=True, validate=_KEY_PATTERN,
                               metadata={"description": "The domain the photo shows evidence "
                                                        "for, e.g. kitchen or sleep."})
    room = fields.String(load_default=None, allow_none=True, validate=_KEY_PATTERN,
                         metadata={"description": "Optional: the room, e.g. child_bedroom."})
    caption = fields.String(load_default="",
                            validate=[validate.Length(max=PHOTO_CAPTION_MAX), _printable])
    parent_agreed = fields.Boolean(
        required=True, truthy={"true"}, falsy={"false"},
        # A form field is text on the wire: documented as the two words it may be.
        metadata={"type": "string", "enum": ["true", "false"],
                  "description": "Whether the parent or carer agreed to the photo being taken."},
    )

    @pre_load
    def _blank_room_is_none(self, data: Any, **_: object) -> Any:
        # A form sends an empty field for "no room"; read it as none rather than refuse it.
        if hasattr(data, "get") and data.get("room") == "":
            data = {key: data[key] for key in data if key != "room"}
        return data


class PhotoQuerySchema(StrictSchema):
    size = fields.String(load_default=DISPLAY, validate=validate.OneOf(RENDITIONS),
                         metadata={"description": "display (long edge up to 1600 px, the "
                                                  "default), thumb (up to 320 px), or original "
                                                  "(only where the partnership keeps them)."})


class PhotoListQuerySchema(StrictSchema):
    domain = fields.String(load_default=None, validate=_KEY_PATTERN)
    room = fields.String(load_default=None, validate=_KEY_PATTERN)
    visit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "Only the photos of this visit (its id as first recorded: a "
                       "correction keeps the photos of the visit it corrects)."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class _VisitRefSchema(OutSchema):
    id = fields.Integer()
    visited_at = fields.DateTime()
    announced = fields.Boolean()
    current_version_id = fields.Integer(metadata={
        "description": "The visit as it now stands: itself, or the amendment that superseded "
                       "it (the score is taken from this one)."})


class _PhotoUrlsSchema(OutSchema):
    display = fields.String()
    thumb = fields.String()


class PhotoOutSchema(OutSchema):
    id = fields.Integer()
    family_id = fields.Integer()
    domain_key = fields.String()
    room = fields.String(allow_none=True)
    caption = fields.String()
    parent_agreed = fields.Boolean()
    score = fields.Integer(allow_none=True, metadata={
        "description": "The domain's score in the visit (1 best .. 5 worst; null: not seen)."})
    visit = fields.Nested(_VisitRefSchema)
    agency = fields.Nested(AgencyRefSchema)
    author = fields.Nested(PersonRefSchema)
    uploaded_at = fields.DateTime()
    width = fields.Integer(metadata={"description": "Of the display rendition."})
    height = fields.Integer()
    urls = fields.Nested(_PhotoUrlsSchema)


class PhotoListOutSchema(OutSchema):
    items = fields.List(fields.Nested(PhotoOutSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean()
