"""Phones syncing at once against gunicorn: the load test's simulation (and bench/load.py's).

Each phone is a practitioner signed in over HTTP, in the core group of one family (five
phones a family). All start together (a barrier) and sync what they recorded offline:
each visit (`POST /families/{id}/visits`), then its photos (`POST /visits/{id}/photos`),
every request with its own Idempotency-Key. A few submissions are retried as a real phone
retries: once after giving up waiting (a client timeout far shorter than the answer takes,
so the server may or may not have finished the first), and once more after a success
whose answer the phone "lost". Afterwards the rows are counted: every visit and photo the
phones made exists exactly once (by its key), with two files per photo and one audit entry
per creation.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from homelog.photos.models import Photo, PhotoFile
from homelog.visits.models import Visit
from tests.factories import Factory, UserRef
from tests.reliability.live import (
    Answer,
    Database,
    Gunicorn,
    Phone,
    migrated_app,
    new_key,
    settings,
    small_jpeg,
    visit_body,
)
from tests.support.api_client import PASSWORD

PHONES_PER_FAMILY = 5
RETRY_EVERY = 97  # every 97th submission (visits and photos counted together) is retried
IMPATIENT_SECONDS = 0.002  # the first try of a retried submission gives up this soon
PHOTO_SIZE = (160, 120)  # small real JPEGs: the machine's time goes on requests, not pixels


@dataclass
class Tally:
    """What one phone saw."""

    visit_seconds: list[float] = field(default_factory=list)
    photo_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    replays: int = 0  # retries answered 200: the server had it already
    visit_keys: list[str] = field(default_factory=list)
    photo_keys: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    database: str
    phones: int
    visits_each: int
    photos_each: int
    workers: int
    requests: int
    errors: list[str]
    retries: int
    replays: int
    visits_expected: int
    visits_found: int  # distinct keys of the phones' visits found in the database
    visit_rows: int
    photos_expected: int
    photos_found: int
    photo_rows: int
    photo_file_rows: int
    visit_audit_entries: int
    photo_audit_entries: int
    visit_p50_ms: float
    visit_p95_ms: float
    photo_p50_ms: float
    photo_p95_ms: float
    seconds: float  # the phones' sync, from the barrier to the last answer
    setup_seconds: float
    busy_sign_ins: int = 0  # sign-ins answered 503 (and retried) before the sync

    @property
    def lost(self) -> int:
        return (self.visits_expected - self.visits_found) + (
            self.photos_expected - self.photos_found)

    @property
    def duplicated(self) -> int:
        return (self.visit_rows - self.visits_found) + (self.photo_rows - self.photos_found)

    def summary(self) -> str:
        return (f"load on {self.database}: {self.phones} phones x {self.visits_each} visits x "
                f"{self.photos_each} photos, gunicorn -w {self.workers}: {self.requests} "
                f"requests in {self.seconds:.1f} s ({self.requests / self.seconds:.0f}/s), "
                f"{len(self.errors)} errors, {self.lost} lost, {self.duplicated} duplicated, "
                f"{self.retries} retries ({self.replays} answered as replays); "
                f"p95 visit {self.visit_p95_ms:.0f} ms (p50 {self.visit_p50_ms:.0f}), "
                f"p95 photo {self.photo_p95_ms:.0f} ms (p50 {self.photo_p50_ms:.0f}); "
                f"set-up {self.setup_seconds:.0f} s ({self.busy_sign_ins} sign-ins busy)")


def _percentile(seconds: list[float], share: float) -> float:
    if not seconds:
        return 0.0
    if len(seconds) == 1:
        return seconds[0] * 1000
    return statistics.quantiles(seconds, n=100, method="inclusive")[int(share * 100) - 1] * 1000


def _people(app: Flask, phones: int) -> tuple[int, list[UserRef], list[int]]:
    """An agency of `phones` practitioners, and each one's family (five phones to a family)."""
    factory = Factory(app)
    agency = factory.agency()
    lead = factory.lead()
    # argon2 hashes each password, off the GIL; side by side where writers do not queue
    # for one lock (SQLite's is taken before the hashing, so there one at a time).
    side_by_side = 1 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else 4
    with ThreadPoolExecutor(side_by_side) as pool:
        users = list(pool.map(lambda _: factory.user(agency_id=agency), range(phones)))
    families = []
    for start in range(0, phones, PHONES_PER_FAMILY):
        family = factory.family(lead, tuple(users[start:start + PHONES_PER_FAMILY]))
        families.extend([family.id] * len(users[start:start + PHONES_PER_FAMILY]))
    return agency, users, families


class _Submissions:
    """Numbers every submission of the run, to choose the few that are retried."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def retried(self) -> bool:
        with self._lock:
            self._count += 1
            return self._count % RETRY_EVERY == 0


def _submit(tally: Tally, kind: str, send, retried: bool) -> Answer | None:
    """Send once; or, for a retried one, give up at once, send again, and again (replay)."""
    seconds = tally.visit_seconds if kind == "visit" else tally.photo_seconds
    if retried:
        impatient = send(timeout=IMPATIENT_SECONDS)
        tally.retries += 1
        if impatient.status not in (0, 200, 201):
            tally.errors.append(f"{kind} (first try): {impatient.status} {impatient.body}")
    answer = send(timeout=None)
    seconds.append(answer.seconds)
    if answer.status not in (200, 201) or (answer.status == 200 and not retried):
        tally.errors.append(f"{kind}: {answer.status} {answer.body}")
        return None
    tally.replays += answer.status == 200
    if retried:  # the answer "lost": the same again must be a replay of the same record
        replay = send(timeout=None)
        tally.retries += 1
        tally.replays += replay.status == 200
        if replay.status != 200 or replay.body["id"] != answer.body["id"]:
            tally.errors.append(f"{kind} replay: {replay.status} {replay.body}")
    return answer


def _sync(phone: Phone, family_id: int, visits: int, photos: int, phone_number: int,
          start: threading.Barrier, submissions: _Submissions) -> Tally:
    tally = Tally()
    start.wait()
    for number in range(visits):
        seed = phone_number * 1000 + number
        body, key = visit_body(seed, hours_ago=2 + number / 10), new_key()
        tally.visit_keys.append(key)
        answer = _submit(tally, "visit", partial(phone.record_visit, family_id, body, key),
                         submissions.retried())
        if answer is None:
            continue
        visit_id = int(answer.body["id"])
        for index in range(photos):
            data, photo_key = small_jpeg(seed * 10 + index, PHOTO_SIZE), new_key()
            tally.photo_keys.append(photo_key)
            _submit(tally, "photo", partial(phone.add_photo, visit_id, data, photo_key,
                                            caption=f"Photo {index}"),
                    submissions.retried())
    return tally


def _count(app: Flask, model: type, *where: Any) -> int:
    return int(db.session.execute(
        select(func.count()).select_from(model).where(*where)).scalar() or 0)


def _found_keys(column: Any, keys: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found.update(db.session.execute(select(column).where(column.in_(chunk))).scalars())
    return found


def run_load(database: Database, workdir: Path, *, phones: int = 50, visits: int = 20,
             photos: int = 2, workers: int = 4) -> LoadResult:
    """Fill the database, serve it with gunicorn, sync every phone at once, count the rows."""
    began = time.perf_counter()
    media = workdir / "media"
    app = migrated_app(database, media)
    agency, users, families = _people(app, phones)
    server = Gunicorn(settings(database.app_url, media), workdir / "gunicorn.log",
                      workers=workers)
    try:
        signed_in = [Phone(server.url) for _ in users]
        with ThreadPoolExecutor(workers) as pool:  # argon2 is slow: side by side, once each
            busy_sign_ins = sum(pool.map(lambda pair: pair[0].sign_in(pair[1].email, PASSWORD),
                                         zip(signed_in, users, strict=True)))
        setup_seconds = time.perf_counter() - began
        start, submissions = threading.Barrier(phones + 1), _Submissions()
        with ThreadPoolExecutor(phones) as pool:
            futures = [pool.submit(_sync, phone, family_id, visits, photos, number, start,
                                   submissions)
                       for number, (phone, family_id) in enumerate(
                           zip(signed_in, families, strict=True))]
            start.wait()
            synced_from = time.perf_counter()
            tallies = [future.result() for future in futures]
            seconds = time.perf_counter() - synced_from
    finally:
        server.stop()
    result = _result(app, database.kind, agency, tallies, seconds, setup_seconds, phones,
                     visits, photos, workers)
    result.busy_sign_ins = busy_sign_ins
    return result


def _result(app: Flask, database: str, agency: int, tallies: list[Tally], seconds: float,
            setup_seconds: float, phones: int, visits: int, photos: int,
            workers: int) -> LoadResult:
    """The figures, and the rows counted: the phones' agency's visits, photos and entries."""
    visit_keys = [key for tally in tallies for key in tally.visit_keys]
    photo_keys = [key for tally in tallies for key in tally.photo_keys]
    visit_seconds = [value for tally in tallies for value in tally.visit_seconds]
    photo_seconds = [value for tally in tallies for value in tally.photo_seconds]
    retries = sum(tally.retries for tally in tallies)
    with app.app_context():
        found_visits = _found_keys(Visit.idempotency_key, visit_keys)
        found_photos = _found_keys(Photo.idempotency_key, photo_keys)
        result = LoadResult(
            database=database, phones=phones, visits_each=visits, photos_each=photos,
            workers=workers,
            requests=len(visit_seconds) + len(photo_seconds) + retries,
            errors=[error for tally in tallies for error in tally.errors],
            retries=retries, replays=sum(tally.replays for tally in tallies),
            visits_expected=phones * visits, visits_found=len(found_visits),
            visit_rows=_count(app, Visit, Visit.agency_id == agency),
            photos_expected=phones * visits * photos, photos_found=len(found_photos),
            photo_rows=_count(app, Photo, Photo.agency_id == agency),
            photo_file_rows=_count(app, PhotoFile, PhotoFile.photo_id.in_(
                select(Photo.id).where(Photo.agency_id == agency))),
            visit_audit_entries=_count(app, AuditEntry, AuditEntry.action == "visit.create",
                                       AuditEntry.agency_id == agency),
            photo_audit_entries=_count(app, AuditEntry, AuditEntry.action == "photo.create",
                                       AuditEntry.agency_id == agency),
            visit_p50_ms=_percentile(visit_seconds, 0.50),
            visit_p95_ms=_percentile(visit_seconds, 0.95),
            photo_p50_ms=_percentile(photo_seconds, 0.50),
            photo_p95_ms=_percentile(photo_seconds, 0.95),
            seconds=seconds, setup_seconds=setup_seconds)
        db.session.remove()
        db.engine.dispose()
    return result
