"""The engine as separate processes: a run killed halfway, and two schedulers at once.

Each test has its own database (a SQLite file, or a database on the session's PostgreSQL
server), migrated for real and filled through the real services; the engine runs as
`flask --app homelog analyse` / `flask --app homelog scheduler` subprocesses.
"""

from __future__ import annotations

import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from homelog.engine.cli import PAUSE_ENV
from tests.engine.processes import fill, migrated_app, run_flask, wait_for_line
from tests.factories import unique
from tests.support.databases import databases


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """What a run leaves behind, without ids and wall-clock times."""
    engine = create_engine(url)
    with engine.connect() as connection:
        def rows(sql: str) -> list[tuple]:
            return sorted(tuple(row) for row in connection.execute(text(sql)))

        snapshot = {
            "flags": rows(
                "SELECT f.family_id, f.key, f.kind, f.severity, f.state, f.became_true_at, "
                "f.explanation, f.occurrence, CAST(f.evidence_visit_ids AS TEXT), "
                "p.key FROM flag f LEFT JOIN flag p ON p.id = f.previous_id"),
            "inbox": rows("SELECT e.user_id, e.family_id, COALESCE(f.key, ''), e.kind, "
                          "COALESCE(CAST(e.news AS TEXT), ''), e.digested_at IS NULL "
                          "FROM inbox_entry e LEFT JOIN flag f ON f.id = e.flag_id"),
            "outbox": rows("SELECT dedupe_key, to_address, kind, subject, body, status "
                           "FROM outbox_message"),
            "analysed": rows("SELECT family_id, analysed_version FROM engine_family_state "
                             "WHERE analysed_version >= 0"),
        }
    engine.dispose()
    return snapshot


def _copy_sqlite(source: Path, target: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"


def test_a_run_killed_halfway_and_run_again_ends_as_one_uninterrupted_run(
        tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "base.sqlite3"
    app = migrated_app(f"sqlite:///{base}", monkeypatch)
    fill(app, monkeypatch, families=8)
    whole = _copy_sqlite(base, tmp_path / "whole.sqlite3")
    killed = _copy_sqlite(base, tmp_path / "killed.sqlite3")

    uninterrupted = run_flask(repo_root, whole, "analyse")
    output, _ = uninterrupted.communicate(timeout=120)
    assert uninterrupted.returncode == 0, output
    assert "Analysed 8 of 8 families" in output

    # Batches of three: the pause comes once the first batch is committed, the second not.
    first = run_flask(repo_root, killed, "analyse",
                      **{PAUSE_ENV: "3", "HOMELOG_ENGINE_BATCH_FAMILIES": "3"})
    wait_for_line(first, "PAUSED after 3 families", timeout=120)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    halfway = _snapshot(killed)
    done = {family_id for family_id, _ in halfway["analysed"]}
    assert len(done) == 3
    # Each family is fully done or untouched: flags, inbox entries and emails together.
    assert {row[0] for row in halfway["flags"]} == done
    assert {row[1] for row in halfway["inbox"]} == done
    assert halfway["outbox"], "the concerns' emails of the finished families are queued"

    again = run_flask(repo_root, killed, "analyse")
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output
    assert "Analysed 5 of 5 families" in output  # only what the killed run had not done

    expected, resumed = _snapshot(whole), _snapshot(killed)
    assert resumed == expected
    assert len({row[0] for row in resumed["outbox"]}) == len(resumed["outbox"])

    rerun = run_flask(repo_root, killed, "analyse", "--all")  # and once more: nothing changes
    output, _ = rerun.communicate(timeout=120)
    assert "0 flags opened, 0 raised again, 0 closed, 0 updated" in output, output
    assert _snapshot(killed) == expected


@pytest.fixture(params=databases())
def scheduler_database(request: pytest.FixtureRequest, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'scheduler.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(unique("sched").replace("-", "_").lower())
    app = migrated_app(url, monkeypatch)
    fill(app, monkeypatch, families=4)
    yield url


def _job_runs(url: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as connection:
        runs = [tuple(row) for row in connection.execute(text(
            "SELECT name, slot, outcome, runner FROM job_run ORDER BY id"))]
    engine.dispose()
    return runs


def test_two_schedulers_started_together_run_each_job_once(
        scheduler_database: str, tmp_path: Path, repo_root: Path) -> None:
    logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
    schedulers = [run_flask(repo_root, scheduler_database, "scheduler", "--run-now", log=log)
                  for log in logs]
    jobs = {"engine", "outbox", "digest", "escalation", "audit_checkpoint"}
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            finished = {name for name, _, outcome, _ in _job_runs(scheduler_database)
                        if outcome == "done"}
            decided = [log.read_text().count("homelog.core.jobs:job ") for log in logs]
            if finished >= jobs and min(decided) >= len(jobs):
                break
            assert all(process.poll() is None for process in schedulers), \
                [log.read_text() for log in logs]
            time.sleep(0.5)
        time.sleep(2)
    finally:
        for process in schedulers:
            process.send_signal(signal.SIGTERM)
        for process in schedulers:
            process.wait(timeout=30)
    texts = [log.read_text() for log in logs]
    runs = _job_runs(scheduler_database)
    assert {name for name, *_ in runs} == jobs, texts
    for name in jobs:
        mine = [run for run in runs if run[0] == name]
        assert len(mine) == 1, (name, mine, texts)  # one run for the slot, in one process
        assert mine[0][2] == "done"
        ran = sum(text.count(f"job {name} done") for text in texts)
        stood_aside = sum(text.count(f"job {name} is running elsewhere")
                          + text.count(f"job {name}: slot") for text in texts)
        assert (ran, stood_aside) == (1, 1), (name, texts)
    assert "scheduler" in texts[0] and "stopped" in texts[0]
    engine_detail = create_engine(scheduler_database)
    with engine_detail.connect() as connection:
        analysed = connection.execute(text(
            "SELECT count(*) FROM engine_family_state WHERE analysed_version >= 0")).scalar()
    engine_detail.dispose()
    assert analysed == 4

