"""Base schemas: load schemas reject unknown fields."""

from collections.abc import Callable

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


# --- dump schemas for the busiest responses ---------------------------------------------------

_ABSENT = object()
_PLAIN = (fields.String, fields.Integer, fields.Float, fields.Boolean)


def _plain_container(field: fields.Field) -> bool:
    """A list or dict of plain values (scores, rooms seen): the value goes out as it is."""
    if isinstance(field, fields.List):
        return isinstance(field.inner, _PLAIN)
    return isinstance(field, fields.Dict) and all(
        part is None or isinstance(part, _PLAIN) for part in (field.key_field, field.value_field))


def _iso(value: object) -> object:
    # Times the database already sent as ISO text (visits/timeline.py) go out as they are.
    return value if value is None or isinstance(value, str) else value.isoformat()  # type: ignore[attr-defined]


class FastOutSchema(OutSchema):
    """A dump schema for the busiest responses (the timeline, a visit, flags): the same
    fields, names and nesting as marshmallow's dump, which tests/core/test_fast_schemas.py
    checks, but by a function made once per schema from its fields (_compiled) instead of
    marshmallow's field-by-field dispatch on every object.

    The values must already be of the field's type (they come from typed columns): plain
    fields, lists and dicts of plain values, times and nested fast schemas are copied,
    not converted. A list or dict may also arrive as the database's JSON text
    (core/json.RawJSON), which the JSON provider writes out as it is; marshmallow's own
    dump could not take it, which is why the timeline needs this schema. A field of any
    other kind is refused when the function is made, so nothing can be dumped differently
    from what the document says.
    """

    _compiled: dict[type, Callable[[object], dict[str, object]]] = {}

    @classmethod
    def dump_one(cls, obj: object) -> dict[str, object]:
        """One object (a dict, or an object read by attribute) dumped by this schema."""
        dump = FastOutSchema._compiled.get(cls)
        if dump is None:
            dump = FastOutSchema._compiled[cls] = _compile(cls)
        return dump(obj)

    def dump(self, obj: object, *, many: bool | None = None) -> object:
        if self.many if many is None else many:
            return [self.dump_one(item) for item in obj]  # type: ignore[attr-defined]
        return self.dump_one(obj)


def _converter(name: str, field: fields.Field, nested: list[type[FastOutSchema]]) -> str:
    """The expression a field's value `v` goes out as (never called with v None); a
    nested schema is added to `nested` and named by its place there."""
    if isinstance(field, _PLAIN) or _plain_container(field):
        return "v"
    if isinstance(field, fields.DateTime | fields.Date):
        return "_iso(v)"
    inner = field.inner if isinstance(field, fields.List) else field
    if isinstance(inner, fields.Nested) and isinstance(inner.schema, FastOutSchema):
        nested.append(type(inner.schema))
        dump = f"_nested[{len(nested) - 1}].dump_one"
        many = inner is not field or bool(inner.many)
        return f"[{dump}(each) for each in v]" if many else f"{dump}(v)"
    raise TypeError(f"{name}: a {type(field).__name__} field cannot be in a FastOutSchema")


def _compile(schema: type[FastOutSchema]) -> Callable[[object], dict[str, object]]:
    """The schema's dump as one Python function, written out field by field."""
    lines = ["def dump(obj):",
             "    read = obj.get if isinstance(obj, dict) else lambda key, _: getattr(obj, key, _)",
             "    out = {}"]
    nested: list[type[FastOutSchema]] = []
    for name, field in schema().dump_fields.items():
        lines += [f"    v = read({field.attribute or name!r}, _ABSENT)",
                  "    if v is not _ABSENT:",  # as marshmallow: what is not there is left out
                  f"        out[{field.data_key or name!r}] = None if v is None else "
                  f"{_converter(name, field, nested)}"]
    lines.append("    return out")
    scope: dict[str, object] = {"_ABSENT": _ABSENT, "_iso": _iso, "_nested": nested}
    # The source is made above from the schema's own field names, never from input.
    exec("\n".join(lines), scope)
    return scope["dump"]  # type: ignore[return-value]
