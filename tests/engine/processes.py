"""The engine as separate processes (tests/engine/test_processes.py and
tests/reliability/test_scheduler_killed.py): a database of the test's own, migrated for real
and filled through the factory, and `flask --app homelog ...` run on it as a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade

from homelog import create_app
from homelog.engine.steps import analysis
from homelog.extensions import db
from tests.engine.support import at_days_ago
from tests.factories import Factory
from tests.support import clock

SECRET = "engine-process-tests-secret-key"
SMTP = {"HOMELOG_SMTP_HOST": "127.0.0.1", "HOMELOG_SMTP_PORT": "9",
        "HOMELOG_SMTP_STARTTLS": "0"}


def environment(url: str, **extra: str) -> dict[str, str]:
    # On a pinned clock the process starts at the test's "now" (tests/support/pinned_flask.py).
    pinned = {clock.PINNED_ENV: clock.now().isoformat()} if clock.pinned_instant() else {}
    return {**os.environ, "HOMELOG_DATABASE_URL": url, "HOMELOG_SECRET_KEY": SECRET,
            "HOMELOG_ENV": "production", "PYTHONUNBUFFERED": "1",
            # These tests read the schedulers' logs as text (production's default is JSON).
            "HOMELOG_LOG_FORMAT": "text", **SMTP, **pinned, **extra}


def run_flask(repo_root: Path, url: str, *args: str, log: Path | None = None,
              **extra: str) -> subprocess.Popen[str]:
    """`flask --app homelog *args` on the database at `url`, its output piped (or written
    to `log`)."""
    output: Any = log.open("w") if log else subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.pinned_flask", "--app", "homelog", *args],
        cwd=repo_root,
        env=environment(url, **extra), stdout=output, stderr=subprocess.STDOUT, text=True)


def migrated_app(url: str, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """An app on the database at `url` (configured as the subprocesses are), migrated."""
    for name, value in environment(url).items():
        if name.startswith("HOMELOG_") and name != clock.PINNED_ENV:
            monkeypatch.setenv(name, value)
    app = create_app({"TESTING": True})
    with app.app_context():
        upgrade()
    return app


def fill(app: Flask, monkeypatch: pytest.MonkeyPatch, families: int) -> None:
    """Families with swings, disagreements and concerns; the concerns' flags are left for
    the engine run (raising them in the request is made to fail), so the run queues emails."""
    factory = Factory(app)
    health_visitor, police = factory.user(), factory.user()
    lead = factory.lead()
    with monkeypatch.context() as patch:
        patch.setattr(analysis, "analyse", _fail)
        for number in range(families):
            family = factory.family(lead, (health_visitor, police))
            factory.visit(family.id, health_visitor.id, at_days_ago(9), {"kitchen": 2})
            factory.visit(family.id, police.id, at_days_ago(8), {"kitchen": 2 + number % 4})
            factory.visit(family.id, health_visitor.id, at_days_ago(4), {"floors": 4},
                          concerns=("no_food",) if number % 2 else ())
    with app.app_context():
        db.engine.dispose()


def _fail(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("raising flags in the request is switched off for this test")


def wait_for_line(process: subprocess.Popen[str], wanted: str, timeout: float) -> str:
    """The first line of the process's output holding `wanted`; kills it if none does."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        if wanted in line:
            return line
    process.kill()
    raise AssertionError(f"{wanted!r} not printed; output:\n{''.join(seen)}")
