"""Base schemas: load schemas reject unknown fields."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate

MAX_ID = 2**31 - 1  # the largest id any of our databases' integer columns holds


def Id(**kwargs: object) -> fields.Integer:
    """A record id in a body: a positive integer that fits every database's integer column."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class WholeMatch(validate.Regexp):
    """The whole value must match `pattern`, which the OpenAPI document shows as ^(...)$.

    Python's $ also matches before a final newline, so the check is fullmatch; \\Z would do
    the same in Python, but OpenAPI reads patterns as ECMA 262, where \\Z is no anchor.
    """

    def __init__(self, pattern: str, error: str | None = None) -> None:
        super().__init__(f"^(?:{pattern})$", error=error)

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class StrictSchema(Schema):
    """A load schema that refuses fields it does not know, so nothing is silently dropped."""

    class Meta:
        unknown = RAISE
        ordered = True


class OutSchema(Schema):
    """A dump schema: lists exactly the fields a client may see."""

    class Meta:
        ordered = True


class StrictBoolean(fields.Boolean):
    """Only JSON true/false; "yes", 1 or "false" are refused rather than guessed at."""

    default_error_messages = {"invalid": "Must be true or false."}

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class UniqueList(fields.List):
    """A list whose items must not repeat (a repeated item is usually a client bug)."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kwargs: object) -> list:
        result = super()._deserialize(value, attr, data, **kwargs)
        repeated = sorted({str(item) for item in result if result.count(item) > 1})
        if repeated:
            raise ValidationError(f"Listed more than once: {', '.join(repeated)}.")
        return result
