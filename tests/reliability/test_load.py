"""50 phones, each syncing 20 visits with 2 photos each, at once, against gunicorn with 4
workers, on SQLite and on PostgreSQL: no errors, nothing lost, nothing duplicated.

The simulation is tests/reliability/load.py (bench/load.py runs it by hand); the figures,
p95 latency of visits and photos included, are printed in the run's summary.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories import unique
from tests.reliability.live import new_database
from tests.reliability.load import run_load
from tests.support.databases import databases

PHONES, VISITS, PHOTOS, WORKERS = 50, 20, 2, 4


@pytest.mark.parametrize("database", databases())
def test_fifty_phones_sync_at_once_and_nothing_is_lost_or_duplicated(
        database: str, request: pytest.FixtureRequest, tmp_path: Path,
        report_figure: Callable[[str], None]) -> None:
    server = request.getfixturevalue("postgres_server") if database != "sqlite" else None
    result = run_load(new_database(database, tmp_path, server, unique("load")), tmp_path,
                      phones=PHONES, visits=VISITS, photos=PHOTOS, workers=WORKERS)
    report_figure(result.summary())

    assert result.errors == [], result.errors[:10]
    assert result.retries > 0  # the phones did retry, and every retry was recognised
    visits, photos = PHONES * VISITS, PHONES * VISITS * PHOTOS
    assert (result.visits_found, result.visit_rows) == (visits, visits)  # 0 lost, 0 duplicated
    assert (result.photos_found, result.photo_rows) == (photos, photos)
    assert result.photo_file_rows == 2 * photos  # a display rendition and a thumbnail each
    assert (result.visit_audit_entries, result.photo_audit_entries) == (visits, photos)
    assert (result.lost, result.duplicated) == (0, 0)
