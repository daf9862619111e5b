"""Which databases a run tests against: both unless HOMELOG_TEST_DATABASES narrows it.

`make test` runs everything on both; its extra runs on pinned clocks use SQLite alone (the
calendar, not the database, is what they test).
"""

from __future__ import annotations

import os

KNOWN = ("sqlite", "postgresql")


def databases() -> list[str]:
    """The databases named in HOMELOG_TEST_DATABASES (comma-separated), or both."""
    named = [name.strip() for name in
             os.environ.get("HOMELOG_TEST_DATABASES", ",".join(KNOWN)).split(",") if name.strip()]
    unknown = sorted(set(named) - set(KNOWN))
    if unknown or not named:
        raise ValueError(f"HOMELOG_TEST_DATABASES: use {' and/or '.join(KNOWN)}, not {unknown}")
    return named
