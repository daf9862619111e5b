"""JSON in and out, fast where it is hot and identical in result to the standard library.

Responses carry ISO 8601 dates, the format the schemas produce (Flask's default is
HTTP dates). orjson encodes responses and decodes JSON columns read from the database
(a timeline page holds dozens of them); whatever orjson does not handle exactly like
the standard library is handed to the standard library instead. (One difference is
kept on purpose: a NaN or infinite number is written as null, which JSON allows, not as
NaN or Infinity, which no JSON parser accepts.)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

# orjson reads integers beyond 64 bits as floats; the standard library keeps them exact.
# Any run of 19 digits (10**18 and more) therefore goes to the standard library.
_LONG_NUMBER = re.compile(r"[0-9]{19}")
_LONG_NUMBER_BYTES = re.compile(rb"[0-9]{19}")


def loads(data: str | bytes) -> Any:
    """Decode JSON exactly as json.loads does (the database's JSON columns use this)."""
    pattern = _LONG_NUMBER if isinstance(data, str) else _LONG_NUMBER_BYTES
    if pattern.search(data) is None:  # type: ignore[arg-type]
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # NaN, lone surrogates, huge exponents: the standard library reads these
    return json.loads(data)


class RawJSON:
    """Text that is JSON already (a JSON column read as text): written into a response as is.

    Decoding a column only to encode it again is most of the cost of a page of them.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"RawJSON({self.text!r})"


def _default(value: Any) -> Any:
    if isinstance(value, RawJSON):
        return orjson.Fragment(value.text)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return DefaultJSONProvider.default(value)


# Dates and times go through _default, so they are written exactly as before.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def _standard_default(value: Any) -> Any:
    """_default for the standard library's encoder, which cannot take an orjson Fragment."""
    if isinstance(value, RawJSON):
        return json.loads(value.text)
    return _default(value)


class JSONProvider(DefaultJSONProvider):
    default = staticmethod(_standard_default)  # type: ignore[assignment]
    sort_keys = False

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A compact JSON response (pretty-printed in debug mode, as Flask does)."""
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)
        body = self._compact(self._prepare_response_obj(args, kwargs))
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)

    def _compact(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(obj, default=_default, option=_ORJSON_OPTIONS)
        except TypeError:
            # orjson refuses non-string keys, integers beyond 64 bits and lone surrogates,
            # which the standard library writes; anything neither can write still raises.
            return self.dumps(obj, separators=(",", ":")).encode()
