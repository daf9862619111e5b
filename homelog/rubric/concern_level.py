"""The partnership's concern level: the score from which a domain is a concern (3, 4 or 5;
rubric/scale.py says what it means). An administrator changes it on the engine settings
screen (engine/parameters.py, which checks, audits and re-analyses); visit validation,
the engine and the exports read it here.
"""

from __future__ import annotations

import datetime as dt

from homelog.core.partnership_settings import store, stored_value
from homelog.rubric.scale import (
    CONCERN_LEVEL_DEFAULT,
    CONCERN_LEVEL_MAX,
    CONCERN_LEVEL_MIN,
    CONCERN_LEVEL_SETTING,
)


def concern_level() -> int:
    """The partnership's concern level in force: its administrator's choice, else 4."""
    stored = stored_value(CONCERN_LEVEL_SETTING)
    return CONCERN_LEVEL_DEFAULT if stored is None else int(stored)


def set_concern_level(level: int, now: dt.datetime, by_id: int | None) -> None:
    """Store the partnership's concern level (the caller checks the range and audits it:
    engine/parameters.py, which the administrator's settings screen changes it through)."""
    if not CONCERN_LEVEL_MIN <= level <= CONCERN_LEVEL_MAX:
        raise ValueError(f"a concern level must be {CONCERN_LEVEL_MIN} to {CONCERN_LEVEL_MAX}")
    store(CONCERN_LEVEL_SETTING, level, now, by_id)
