"""The engine's run holds the scheduler's lock, whoever starts it (the lock: tests/core)."""

from __future__ import annotations

import os
import socket

from homelog.core import jobs
from homelog.core.jobs import job_lock
from homelog.engine.jobs import ENGINE_JOB
from homelog.extensions import db


def test_analysing_on_demand_is_refused_while_the_engine_runs_elsewhere(app, factory,
                                                                         db_dialect,
                                                                         monkeypatch):
    family = str(factory.family().id)
    runner = app.test_cli_runner()
    with app.app_context(), job_lock(ENGINE_JOB.name):
        if db_dialect == "sqlite":
            monkeypatch.setattr(jobs, "RUNNER", f"{socket.gethostname()}:{os.getppid()}:other")
        refused = runner.invoke(args=["analyse", "--family", family])
        db.session.rollback()
    assert refused.exit_code == 1, refused.output
    assert "The engine is running in another process now" in refused.output
    assert "Analysed" not in refused.output

    monkeypatch.undo()
    done = runner.invoke(args=["analyse", "--family", family])  # the lock released: it runs
    assert done.exit_code == 0, done.output
    assert "Analysed 1 of 1 families" in done.output
