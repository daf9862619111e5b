"""A gunicorn worker killed (SIGKILL) in the middle of a visit or photo submission.

The request is held at a named point of the request boundary (homelog/core/
pause_for_tests.py, armed by the test) and its worker is killed there:

* `before_commit`: everything the request does is written but not committed (the visit
  row or the photo's rows, their audit entries; a photo's files are already on disk);
* `after_commit`: committed, but the answer never reaches the phone.

Either way the phone sees the connection break and retries with the same Idempotency-Key.
Afterwards the whole visit (or photo) exists or none of it does, the retry completes it
exactly once, every photo file a row refers to is on disk with its recorded hash, and the
audit chain verifies.

Known and tolerated: a photo upload killed before its commit leaves its two rendition
files on disk with no row referring to them (files cannot join the transaction, and the
process that would have removed them on rollback is dead). Nothing refers to them and
nothing serves them; the retention purge's sweep removes them once they are a day old
(homelog/retention/services.py). The test counts them and sweeps them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from homelog.photos.models import Photo, PhotoFile
from homelog.retention.services import sweep_orphan_files
from homelog.visits.models import Visit
from tests.factories import Factory, unique
from tests.reliability.live import (
    Answer,
    Gunicorn,
    Phone,
    migrated_app,
    new_database,
    new_key,
    settings,
    small_jpeg,
    visit_body,
)
from tests.support import clock
from tests.support.api_client import PASSWORD
from tests.support.databases import databases

VISITS = r"POST /api/v1/families/\d+/visits"
PHOTOS = r"POST /api/v1/visits/\d+/photos"


@dataclass
class Served:
    app: Flask  # the same database, for counting rows
    server: Gunicorn
    pause_dir: Path
    media: Path
    family_id: int
    phone: Phone


@pytest.fixture(scope="module", params=databases())
def served(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp(f"killed-{request.param}")
    server = request.getfixturevalue("postgres_server") if request.param != "sqlite" else None
    database = new_database(request.param, folder, server, unique("killed"))
    media, pause_dir = folder / "media", folder / "pause"
    pause_dir.mkdir()
    app = migrated_app(database, media)
    factory = Factory(app)
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    gunicorn = Gunicorn(settings(database.app_url, media,
                                 HOMELOG_TEST_PAUSE_DIR=str(pause_dir)),
                        folder / "gunicorn.log", workers=2)
    try:
        phone = Phone(gunicorn.url)
        phone.sign_in(practitioner.email, PASSWORD)
        yield Served(app, gunicorn, pause_dir, media, family.id, phone)
    finally:
        gunicorn.stop()
        with app.app_context():
            db.engine.dispose()


def _kill_when_paused(served: Served, point: str, pattern: str, send) -> Answer:
    """Arm `point` for requests matching `pattern`, send, SIGKILL the worker held there."""
    for leftover in served.pause_dir.glob(f"{point}.*"):
        leftover.unlink()
    (served.pause_dir / f"{point}.armed").write_text(pattern)
    with ThreadPoolExecutor(1) as pool:
        answer: Future[Answer] = pool.submit(send)
        pid_file = served.pause_dir / f"{point}.pid"
        deadline = time.monotonic() + 30
        while not pid_file.exists():  # polling for the worker to reach the point
            assert time.monotonic() < deadline, f"no request paused at {point}:\n" \
                                                f"{served.server.tail()}"
            assert not answer.done(), f"answered without pausing: {answer.result()}"
            time.sleep(0.02)
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        result = answer.result(timeout=30)
    assert result.status == 0, f"the killed request was answered: {result}"
    return result


def _count(app: Flask, model: type, *where) -> int:
    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()
        db.session.remove()
        return int(count or 0)


def _audited(app: Flask, action: str, **target) -> int:
    conditions = [AuditEntry.action == action]
    conditions += [getattr(AuditEntry, name) == value for name, value in target.items()]
    return _count(app, AuditEntry, *conditions)


def _visit_id(app: Flask, key: str) -> int | None:
    with app.app_context():
        found = db.session.execute(select(Visit.id).where(Visit.idempotency_key == key)).scalar()
        db.session.remove()
        return found


def _files_on_disk(media: Path) -> set[str]:
    root = media / "photos"
    return {path.name for path in root.glob("*/*")} if root.is_dir() else set()


def _photo_files(app: Flask, visit_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(PhotoFile.storage_key, PhotoFile.sha256).join(Photo)
            .where(Photo.visit_id == visit_id)).all()
        db.session.remove()
        return [(row.storage_key, row.sha256) for row in rows]


def _referenced_files_intact(served: Served) -> set[str]:
    """Every file a photo_file row names is on disk with its recorded hash; returns the keys."""
    with served.app.app_context():
        rows = db.session.execute(select(PhotoFile.storage_key, PhotoFile.sha256)).all()
        db.session.remove()
    for key, sha256 in rows:
        path = served.media / "photos" / key[:2] / key
        assert path.is_file(), f"photo_file {key} refers to a missing file"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    return {key for key, _ in rows}


def _chain_intact(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output, result.output


def _record_visit(served: Served, seed: int) -> int:
    answer = served.phone.record_visit(served.family_id, visit_body(seed), new_key())
    assert answer.status == 201, answer
    return int(answer.body["id"])


@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
def test_a_visit_submission_killed_mid_request_is_recorded_once_by_the_retry(
        served: Served, point: str) -> None:
    body, key = visit_body(seed=7), new_key()
    phone = served.phone
    _kill_when_paused(served, point, VISITS,
                      lambda: phone.record_visit(served.family_id, body, key))

    killed_id = _visit_id(served.app, key)
    if point == "before_commit":  # none of it
        assert killed_id is None
    else:  # all of it: the visit and its audit entry
        assert killed_id is not None
        assert _audited(served.app, "visit.create", target_id=killed_id) == 1

    retry = phone.record_visit(served.family_id, body, key)
    assert retry.status == (201 if point == "before_commit" else 200), retry
    visit_id = int(retry.body["id"])
    assert killed_id in (None, visit_id)
    again = phone.record_visit(served.family_id, body, key)
    assert (again.status, again.body["id"]) == (200, visit_id)

    assert _count(served.app, Visit, Visit.idempotency_key == key) == 1
    assert _audited(served.app, "visit.create", family_id=served.family_id,
                    target_id=visit_id) == 1
    assert phone.get(f"/api/v1/visits/{visit_id}").status == 200
    _chain_intact(served.app)


@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
def test_a_photo_upload_killed_mid_request_is_stored_once_by_the_retry(
        served: Served, point: str) -> None:
    visit_id = _record_visit(served, seed=11)
    photo, key, phone = small_jpeg(seed=3), new_key(), served.phone
    on_disk_before = _files_on_disk(served.media)
    referenced_before = _referenced_files_intact(served)
    created_before = _audited(served.app, "photo.create", family_id=served.family_id)

    _kill_when_paused(served, point, PHOTOS, lambda: phone.add_photo(visit_id, photo, key))

    rows_after_kill = _photo_files(served.app, visit_id)
    new_on_disk = _files_on_disk(served.media) - on_disk_before
    if point == "before_commit":  # no rows; the two rendition files are left unreferenced
        assert _count(served.app, Photo, Photo.visit_id == visit_id) == 0
        assert rows_after_kill == []
        assert _audited(served.app, "photo.create", family_id=served.family_id) \
            == created_before
        orphans = new_on_disk
        assert len(orphans) == 2, orphans  # display and thumbnail, referenced by nothing
    else:  # the photo, its two files and its audit entry, all there
        assert len(rows_after_kill) == 2
        assert {key_ for key_, _ in rows_after_kill} == new_on_disk
        assert _audited(served.app, "photo.create", family_id=served.family_id) \
            == created_before + 1
        orphans = set()
    killed_photo = _count(served.app, Photo, Photo.idempotency_key == key)

    retry = phone.add_photo(visit_id, photo, key)
    assert retry.status == (201 if point == "before_commit" else 200), retry
    photo_id = int(retry.body["id"])
    again = phone.add_photo(visit_id, photo, key)
    assert (again.status, again.body["id"]) == (200, photo_id)

    assert killed_photo == (0 if point == "before_commit" else 1)
    assert _count(served.app, Photo, Photo.idempotency_key == key) == 1
    files = _photo_files(served.app, visit_id)
    assert len(files) == 2  # display and thumbnail, once
    assert _audited(served.app, "photo.create", target_id=photo_id) == 1
    referenced = _referenced_files_intact(served)
    assert referenced - referenced_before == {key_ for key_, _ in files}
    # Only the killed upload's own files are unreferenced: the retry and its replay wrote
    # nothing more than the photo's two files.
    assert _files_on_disk(served.media) - on_disk_before == orphans | {k for k, _ in files}
    assert phone.get(f"/api/v1/photos/{photo_id}?size=thumb").status == 200
    _chain_intact(served.app)

    # The retention sweep removes the killed upload's files once they are a day old, and
    # nothing a photo refers to.
    with served.app.app_context():
        swept = sweep_orphan_files(clock.now() + dt.timedelta(days=2))
        db.session.commit()
        db.session.remove()
    assert swept == len(orphans)
    assert not orphans & _files_on_disk(served.media)
    assert _referenced_files_intact(served) == referenced
