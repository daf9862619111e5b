"""How much a core group has to read: open flags against open concerns, per family.

    .venv/bin/python bench/concerns.py [--families 200] [--visits 40]

Two partnerships, each in its own SQLite file, analysed once by the real engine run:

* the demo partnership (`flask demo load`, the three families a new user meets);
* a generated partnership (bench/engine.py's generator: 70% stable families, 15% getting
  worse, 15% swinging, a core group of four agencies visiting about weekly).

For each, per family with anything open: how many open (or acknowledged) flags there are,
which is what the flags list showed one card each, and how many concerns they make
(engine/concerns.py, as GET /families/{id}/concerns answers), side by side; and the inbox
entries each practitioner got from the run. Target (issue 13): the worst demo family's
concerns fit on two phone screens, at most 8 cards. A miss is reported (exit code 0).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("HOMELOG_SECRET_KEY", "bench-concerns-secret-key-not-secret")
os.environ["HOMELOG_SMTP_HOST"] = ""  # inbox only

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.engine import generate  # noqa: E402
from homelog import create_app  # noqa: E402
from homelog.alerts.models import InboxEntry  # noqa: E402
from homelog.core.time import utcnow  # noqa: E402
from homelog.engine.concerns_service import family_concerns  # noqa: E402
from homelog.engine.jobs import run_engine  # noqa: E402
from homelog.engine.models import Flag, FlagState  # noqa: E402
from homelog.extensions import db  # noqa: E402
from homelog.families.models import Family  # noqa: E402

TARGET_CARDS = 8


@dataclass
class Reading:
    partnership: str
    families: int                  # families with anything open
    flags: list[int]               # open or acknowledged flags, per such family
    concerns: list[int]            # the concerns they make, per such family
    worst: str                     # the reference of the family with the most concerns
    inbox_per_user: list[int]      # inbox entries per user with any, from the run


def _app(url: str, environment: str) -> Flask:
    os.environ["HOMELOG_DATABASE_URL"] = url
    os.environ["HOMELOG_ENV"] = environment
    app = create_app({"TESTING": True})
    with app.app_context():
        upgrade()
    return app


def _read(app: Flask, partnership: str) -> Reading:
    with app.app_context():
        now = utcnow()
        run_engine(now, now, force=True)
        db.session.remove()
        open_states = (FlagState.OPEN.value, FlagState.ACKNOWLEDGED.value)
        counts = dict(db.session.execute(
            select(Flag.family_id, func.count()).where(Flag.state.in_(open_states))
            .group_by(Flag.family_id)).all())
        concerns = {family_id: len(family_concerns(family_id)["concerns"])
                    for family_id in counts}
        worst_id = max(concerns, key=concerns.__getitem__) if concerns else None
        worst = "" if worst_id is None else db.session.get_one(Family, worst_id).reference
        inbox = Counter(db.session.execute(select(InboxEntry.user_id)).scalars())
        db.session.remove()
    return Reading(partnership, len(counts), [counts[f] for f in counts],
                   [concerns[f] for f in counts], worst, list(inbox.values()))


def demo_partnership(directory: str) -> Reading:
    app = _app(f"sqlite:///{directory}/demo.sqlite3", "development")
    loaded = app.test_cli_runner().invoke(args=["demo", "load"])
    if loaded.exit_code != 0:
        raise SystemExit(f"flask demo load failed:\n{loaded.output}")
    return _read(app, "demo")


def generated_partnership(directory: str, families: int, visits: int) -> Reading:
    app = _app(f"sqlite:///{directory}/generated.sqlite3", "production")
    generate(app, families, visits)
    return _read(app, f"generated ({families} families x {visits} visits)")


def _spread(values: list[int]) -> str:
    return f"{statistics.median(values):g} / {max(values)}" if values else "- / -"


def report(readings: list[Reading]) -> str:
    lines = [f"{'partnership':<38} {'families':>8} {'flags med/max':>14} "
             f"{'concerns med/max':>17} {'cards saved':>11} {'inbox/user med/max':>19}"]
    for reading in readings:
        saved = 1 - sum(reading.concerns) / sum(reading.flags) if reading.flags else 0.0
        lines.append(f"{reading.partnership:<38} {reading.families:>8} "
                     f"{_spread(reading.flags):>14} {_spread(reading.concerns):>17} "
                     f"{saved:>10.0%} {_spread(reading.inbox_per_user):>19}")
    demo = readings[0]
    worst = max(demo.concerns, default=0)
    lines.append(f"target: the worst demo family ({demo.worst}) shows at most {TARGET_CARDS} "
                 f"concern cards: {worst} - {'met' if worst <= TARGET_CARDS else 'NOT MET'}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=200)
    parser.add_argument("--visits", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="homelog-bench-concerns-") as directory:
        readings = [demo_partnership(directory),
                    generated_partnership(directory, args.families, args.visits)]
    print(report(readings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
