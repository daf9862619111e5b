"""Phones syncing at once: 50 practitioners each send 20 visits with 2 photos, together.

    .venv/bin/python bench/load.py [--databases sqlite,postgresql] [--phones 50] [--visits 20]
                                   [--photos 2] [--workers 4]

For each database: migrate a fresh one, create the practitioners and their families (five
phones to a family) through the real services, serve it with `gunicorn --preload -w 4`,
sign every phone in over HTTP, then release them all at once. Each phone sends its visits
one after another, each followed by its photos, every submission with its own
Idempotency-Key; about one submission in a hundred is retried the way a phone retries
(given up on at once, sent again, and sent once more as if the answer was lost). Then the
rows are counted. Prints requests, errors, lost, duplicated, retries, and the p50 and p95
latency of visits and photos. Exit code 1 if anything failed, was lost or duplicated.

The same run is a test: tests/reliability/test_load.py (the simulation is
tests/reliability/load.py). Latency includes the wait for a free worker: 50 phones share
4 sync workers, so p50 is roughly (50 / 4) x the time one request takes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# The app runs in production mode (strict settings) with keys made up for the run.
os.environ.setdefault("HOMELOG_SECRET_KEY", "bench-load-secret-key-not-for-production")
os.environ.setdefault("HOMELOG_AUDIT_KEY", "bench-load-audit-key-not-for-production-use")
os.environ.setdefault("HOMELOG_REQUIRE_SECOND_FACTOR", "false")

from tests.factories import unique  # noqa: E402
from tests.reliability.live import new_database  # noqa: E402
from tests.reliability.load import LoadResult, run_load  # noqa: E402
from tests.support.postgres import PostgresServer, start_postgres  # noqa: E402


def _run(database: str, args: argparse.Namespace, server: PostgresServer | None
         ) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix=f"homelog-load-{database}-") as folder:
        workdir = Path(folder)
        return run_load(new_database(database, workdir, server, unique("load")), workdir,
                        phones=args.phones, visits=args.visits, photos=args.photos,
                        workers=args.workers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--visits", type=int, default=20, help="visits per phone")
    parser.add_argument("--photos", type=int, default=2, help="photos per visit")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    args = parser.parse_args()
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    server = start_postgres() if "postgresql" in databases else None
    failed = False
    try:
        for database in databases:
            result = _run(database, args, server)
            print(result.summary())
            print(f"  rows: {result.visit_rows} visits, {result.photo_rows} photos, "
                  f"{result.photo_file_rows} photo files, {result.visit_audit_entries} + "
                  f"{result.photo_audit_entries} audit entries (visit.create + photo.create)")
            for error in result.errors[:10]:
                print(f"  error: {error}")
            failed = failed or bool(result.errors or result.lost or result.duplicated)
    finally:
        if server is not None:
            server.stop()
    print("RESULT: FAILED" if failed else "RESULT: OK (0 errors, 0 lost, 0 duplicated)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
