"""JSON with ISO 8601 dates, the same format the schemas produce (Flask's default is HTTP dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.json.provider import DefaultJSONProvider


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return DefaultJSONProvider.default(value)


class JSONProvider(DefaultJSONProvider):
    default = staticmethod(_default)  # type: ignore[assignment]
    sort_keys = False
