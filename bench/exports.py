"""Benchmark the exports of a family with 300 visits and 60 photos.

    .venv/bin/python bench/exports.py [--runs 5] [--databases sqlite postgresql]

For each database (a SQLite file in a temporary directory; PostgreSQL from
tests/support/postgres.py, a throwaway server on a free loopback port), the family of
tests/exports/big_family.py is built (300 visits from four agencies over two years, 20
events, 60 photos with real renditions, an agreement and the engine's flags), then each
of these is timed RUNS times and the median is reported:

  summary.pdf   GET /api/v1/families/{id}/summary.pdf through the app (access check,
                recent sign-in, reading, 10 charts, layout, audit entry): what a social
                worker waits for;
  summary.csv   GET .../summary.csv (3,000 rows, one per visit and domain);
  visits.csv    GET .../visits.csv (300 rows);
  HTML alone    the same report read from the database and rendered as plain HTML by a
                Jinja2 template (bench/templates/summary.html), with no charts or
                layout: the floor an HTML-to-PDF pipeline would start from;
  reading       reading the report alone (the part every format shares);
  charts        drawing the 10 trend charts alone.

Each is shown as wall-clock time (what a person waits) and CPU time (the work itself; on a
busy shared machine the wall clock also counts the wait for a core).

Targets (issue 6): the PDF in under 5 s and under 10 MB, the CSV in under 0.5 s. The
figures are printed beside each other with the PDF / HTML ratio. Exit code 1 if an export
failed (a miss of a target is reported, exit code 0).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("HOMELOG_SECRET_KEY", "bench-exports-secret-key-not-secret")
os.environ.setdefault("HOMELOG_AUDIT_KEY", "bench-audit-key-not-secret-0123456789abcdef")
os.environ.setdefault("HOMELOG_ENV", "production")
os.environ["HOMELOG_SMTP_HOST"] = ""

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402

from homelog import create_app  # noqa: E402
from homelog.core.time import utcnow  # noqa: E402
from homelog.exports.charts import TrendCharts  # noqa: E402
from homelog.exports.gather import build_summary  # noqa: E402
from homelog.exports.report import Period  # noqa: E402
from homelog.extensions import db  # noqa: E402
from tests.exports.big_family import BigFamily, build_big_family  # noqa: E402
from tests.factories import Factory  # noqa: E402
from tests.support.api_client import ApiClient  # noqa: E402
from tests.support.postgres import start_postgres  # noqa: E402

VISITS, PHOTOS = 300, 60
PDF_SECONDS, PDF_BYTES, CSV_SECONDS = 5.0, 10 * 1024 * 1024, 0.5
TEMPLATES = Environment(loader=FileSystemLoader(REPO / "bench" / "templates"),
                        autoescape=select_autoescape(["html"]))


@dataclass
class Figure:
    name: str
    seconds: float
    cpu_seconds: float
    size: int


def median_of(runs: int, job: Callable[[], int]) -> tuple[float, float, int]:
    """The median wall-clock and CPU time of `runs` calls (after a warm-up call), and the
    last size. CPU time is shown too: on a shared machine the wall clock includes waiting
    for a core."""
    job()
    times, cpu, size = [], [], 0
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = job()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu), size


def _download(client: ApiClient, url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.data[:200]!r}")
    return len(response.data)


def measure(app: Flask, big: BigFamily, runs: int) -> list[Figure]:
    client = ApiClient(app)
    client.sign_in(big.family.lead.email)
    base = f"/api/v1/families/{big.family.id}"
    figures = [Figure(name, *median_of(runs, lambda what=what: _download(client, what)))
               for name, what in (("summary.pdf", f"{base}/summary.pdf"),
                                  ("summary.csv", f"{base}/summary.csv"),
                                  ("visits.csv", f"{base}/visits.csv"))]
    period = Period(big.first_day, big.last_day)
    template = TEMPLATES.get_template("summary.html")

    def report():  # the same report the PDF is made from
        return build_summary(big.family.id, period, "Bench lead", utcnow())

    with app.app_context():
        figures.append(Figure("HTML alone", *median_of(
            runs, lambda: len(template.render(r=report()).encode()))))
        figures.append(Figure("reading", *median_of(runs, lambda: len(report().visits))))
        shared = report()
        def charts() -> int:
            painter = TrendCharts(period.start, period.end, shared.concern_level)
            return sum(painter.draw(series).size[0] for series in shared.series)

        figures.append(Figure("charts", *median_of(runs, charts)))
        db.session.rollback()
    return figures


def _report(database: str, figures: list[Figure]) -> list[str]:
    by = {figure.name: figure for figure in figures}
    pdf, html = by["summary.pdf"], by["HTML alone"]
    verdicts = {
        "summary.pdf": f"< {PDF_SECONDS:g} s and < {PDF_BYTES // 2**20} MB: " + (
            "met" if pdf.seconds < PDF_SECONDS and pdf.size < PDF_BYTES else "MISSED"),
        "summary.csv": f"< {CSV_SECONDS:g} s: " + (
            "met" if by["summary.csv"].seconds < CSV_SECONDS else "MISSED"),
        "visits.csv": f"< {CSV_SECONDS:g} s: " + (
            "met" if by["visits.csv"].seconds < CSV_SECONDS else "MISSED"),
        "HTML alone": f"PDF / HTML = {pdf.seconds / html.seconds:.1f}x",
    }
    lines = [f"{'database':<11} {'export':<12} {'median s':>9} {'cpu s':>7} {'size':>10}  "
             "target"]
    for figure in figures:
        is_file = figure.name.endswith(("pdf", "csv", "HTML alone"))
        size = f"{figure.size / 2**20:.2f} MB" if is_file else ""
        lines.append(f"{database:<11} {figure.name:<12} {figure.seconds:>9.3f} "
                     f"{figure.cpu_seconds:>7.3f} {size:>10}  {verdicts.get(figure.name, '')}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    lines: list[str] = []
    try:
        for database in args.databases:
            print(f"== {database}", flush=True)
            with _app(database) as app:
                started = time.perf_counter()
                big = build_big_family(app, Factory(app), visits=VISITS, photos=PHOTOS)
                print(f"  built the family ({VISITS} visits, {PHOTOS} photos) in "
                      f"{time.perf_counter() - started:.1f} s", flush=True)
                lines += _report(database, measure(app, big, args.runs))
    except RuntimeError as error:
        print(f"RESULT: INVALID ({error})")
        return 1
    print()
    print(f"median of {args.runs} runs each; load average now "
          f"{' '.join(f'{value:.1f}' for value in os.getloadavg())} on {os.cpu_count()} cores")
    print("\n".join(lines))
    return 0


@contextmanager
def _app(database: str) -> Iterator[Flask]:
    with tempfile.TemporaryDirectory(prefix="homelog-bench-exports-") as directory:
        server = start_postgres() if database == "postgresql" else None
        try:
            url = (server.create_database("homelog_bench_exports") if server
                   else f"sqlite:///{directory}/exports.sqlite3")
            app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                              "HOMELOG_MEDIA_DIR": f"{directory}/media"})
            with app.app_context():
                upgrade()
            yield app
            with app.app_context():
                db.engine.dispose()
        finally:
            if server:
                server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
