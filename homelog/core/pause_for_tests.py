"""For tests only: hold one request at a named point, so a test can kill its process there.

Off unless HOMELOG_TEST_PAUSE_DIR is set (read once, at start-up). A test arms a point by
writing `<dir>/<point>.armed`, holding a regular expression for "METHOD PATH" (e.g.
`POST /api/v1/visits/\\d+/photos`). The first matching request to reach the point takes
the file (renamed, so only one does), writes its process id to `<dir>/<point>.pid` and
waits for an hour; every other request, the client's retry included, goes straight on.
Points: `before_commit` and `after_commit` (core/transactions.py, the request boundary).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from flask import request

PAUSE_DIR_ENV = "HOMELOG_TEST_PAUSE_DIR"

_DIRECTORY = Path(os.environ[PAUSE_DIR_ENV]) if os.environ.get(PAUSE_DIR_ENV) else None


def pause_point(name: str) -> None:
    """Wait here if a test armed this point for this request (never in production)."""
    if _DIRECTORY is None:
        return
    armed = _DIRECTORY / f"{name}.armed"
    try:
        pattern = armed.read_text().strip()
        if not re.fullmatch(pattern, f"{request.method} {request.path}"):
            return
        armed.rename(_DIRECTORY / f"{name}.taken")  # one request only
    except FileNotFoundError:
        return
    partial = _DIRECTORY / f".{name}.pid"
    partial.write_text(str(os.getpid()))
    partial.rename(_DIRECTORY / f"{name}.pid")
    time.sleep(3600)
