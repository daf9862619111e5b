"""A SQLite database locked by another process: 503 with Retry-After, never a 500.

Another connection holds the write lock (BEGIN EXCLUSIVE) for longer than the app's busy
timeout (HOMELOG_SQLITE_BUSY_TIMEOUT_MS, shortened here so the test takes seconds). Reads
still run beside it (WAL), but their audit entry cannot be written, so a read of a family
fails as a whole; a write cannot take the lock at all. Either way the client is told to
come back, and its retry (the same Idempotency-Key) records the visit exactly once.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from homelog import create_app
from homelog.audit.models import AuditEntry
from homelog.extensions import db
from homelog.visits.models import Visit
from tests.factories import Factory, visit_body
from tests.support.api_client import ApiClient

BUSY_TIMEOUT_MS = 300


@pytest.fixture(scope="module")
def locked_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("locked")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'homelog.sqlite3'}",
        "HOMELOG_MEDIA_DIR": str(folder / "media"),
        "HOMELOG_SQLITE_BUSY_TIMEOUT_MS": BUSY_TIMEOUT_MS,
        "PROPAGATE_EXCEPTIONS": False,  # as in production: an error is answered, not raised
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def write_lock_held(app: Flask) -> Iterator[None]:
    """Another process's connection holds SQLite's write lock until the block ends."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def _count(app: Flask, model: type, *where) -> int:
    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()
        db.session.rollback()
        return int(count or 0)


def _assert_busy(response) -> None:
    assert response.status_code == 503, (response.status_code, response.get_data(as_text=True))
    assert int(response.headers["Retry-After"]) >= 1
    error = response.json["error"]
    assert error["code"] == "busy"
    assert "try again" in error["message"]


def test_the_busy_timeout_is_the_configured_one(locked_app: Flask) -> None:
    with locked_app.app_context():
        connection = db.session.connection()
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
        db.session.rollback()


def test_a_locked_database_answers_503_with_retry_after_and_the_retry_records_once(
        locked_app: Flask) -> None:
    factory = Factory(locked_app)
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    client = ApiClient(locked_app)
    assert client.sign_in(practitioner.email).status_code == 201
    body, key = visit_body(), str(uuid.uuid4())
    entries_before = _count(locked_app, AuditEntry)

    with write_lock_held(locked_app):
        _assert_busy(client.get(f"/api/v1/families/{family.id}"))  # a read (audited)
        _assert_busy(client.get(f"/api/v1/families/{family.id}/timeline"))
        _assert_busy(client.submit_visit(family.id, body, key))  # a write
        _assert_busy(client.submit_visit(family.id, body, key))  # and its retry, still locked

    # Nothing half-done: no visit, and no audit entry claiming a read or a record.
    assert _count(locked_app, Visit, Visit.family_id == family.id) == 0
    assert _count(locked_app, AuditEntry) == entries_before

    # The lock gone, the same requests succeed; the visit is recorded once.
    assert client.get(f"/api/v1/families/{family.id}").status_code == 200
    first = client.submit_visit(family.id, body, key)
    assert first.status_code == 201, first.json
    again = client.submit_visit(family.id, body, key)
    assert (again.status_code, again.json["id"]) == (200, first.json["id"])
    assert _count(locked_app, Visit, Visit.family_id == family.id) == 1
