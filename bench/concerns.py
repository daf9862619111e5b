"""How much a core group has to read: flags against concerns, inbox entries per week.

    .venv/bin/python bench/concerns.py [--families 200] [--visits 40]

Two partnerships, each in its own SQLite file, analysed by the real engine run once a day
over their whole history, as a scheduler would have:

* the demo partnership (`flask demo load`, the three families a new user meets);
* a generated partnership (bench/engine.py's generator: 70% stable families, 15% getting
  worse, 15% swinging, a core group of four agencies visiting about weekly).

Side by side, in the same run:
* per family with anything open at the end: open (or acknowledged) flags, which the flags
  list showed one card each, against the concerns they make (GET /families/{id}/concerns);
* per practitioner per week: the inbox entries the runs made (one per family per run that
  changed its concerns, joined within a day while unread), against the entries one per
  opened flag per member would have made (counted from the flags each run opened);
  immediate concerns, told at once on their own either way, are left out of both;
* the most news entries any person got about one family on one day.
Targets (issue 13): the worst demo family's concerns fit on two phone screens (at most 8
cards); at most one entry per family per day per person besides immediate concerns. A miss
is reported (exit code 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
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
os.environ.setdefault("HOMELOG_AUDIT_KEY", "bench-audit-key-not-secret-0123456789abcdef")
os.environ["HOMELOG_SMTP_HOST"] = ""  # inbox only

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.engine import generate  # noqa: E402
from homelog import create_app  # noqa: E402
from homelog.alerts.models import InboxEntry  # noqa: E402
from homelog.core.time import local_date, local_zone, start_of_day, utcnow  # noqa: E402
from homelog.engine.concerns_service import family_concerns  # noqa: E402
from homelog.engine.jobs import run_engine  # noqa: E402
from homelog.engine.models import Flag, FlagState  # noqa: E402
from homelog.engine.signals import OpenedFlag, flags_opened  # noqa: E402
from homelog.engine.steps.analysis import Severity  # noqa: E402
from homelog.extensions import db  # noqa: E402
from homelog.families.models import CoreGroupMember, Family  # noqa: E402
from homelog.visits.models import Visit  # noqa: E402

TARGET_CARDS = 8


@dataclass
class Reading:
    partnership: str
    families: int                  # families with anything open
    flags: list[int]               # open or acknowledged flags, per such family
    concerns: list[int]            # the concerns they make, per such family
    worst: str                     # the reference of the family with the most concerns
    weekly_before: list[float]     # per practitioner: one entry per opened flag, a week
    weekly_after: list[float]      # per practitioner: news entries made, a week
    most_a_day: int                # most news entries one person got about one family a day


def _app(url: str, environment: str) -> Flask:
    os.environ["HOMELOG_DATABASE_URL"] = url
    os.environ["HOMELOG_ENV"] = environment
    app = create_app({"TESTING": True})
    with app.app_context():
        upgrade()
    return app


def _replay(app: Flask) -> tuple[Counter[int], Counter[int], float]:
    """Run the engine once a day from the first visit to today. Returns, per user, the
    entries one per opened flag would have made, the news entries made, and the weeks."""
    per_flag: Counter[int] = Counter()

    def count(sender: Flask, flags: list[OpenedFlag], **_: object) -> None:
        for flag in flags:
            if flag.severity != Severity.IMMEDIATE.value:
                per_flag.update(members[flag.family_id])

    with app.app_context():
        members: dict[int, list[int]] = {}
        for family_id, user_id in db.session.execute(
                select(CoreGroupMember.family_id, CoreGroupMember.user_id)):
            members.setdefault(family_id, []).append(user_id)
        zone = local_zone()
        first = db.session.execute(select(func.min(Visit.visited_at))).scalar_one()
        first_day, today = local_date(first), local_date(utcnow())
        flags_opened.connect(count, sender=app)
        try:
            for offset in range((today - first_day).days + 1):
                as_of = start_of_day(first_day + dt.timedelta(days=offset + 1), zone)
                as_of = min(as_of - dt.timedelta(hours=1), utcnow())  # 23:00 that day
                run_engine(as_of, as_of, force=True)
                db.session.remove()
        finally:
            flags_opened.disconnect(count, sender=app)
        news = Counter(db.session.execute(
            select(InboxEntry.user_id).where(InboxEntry.kind == "news")).scalars())
        db.session.remove()
    return per_flag, news, ((today - first_day).days + 1) / 7


def _most_a_day(app: Flask) -> int:
    with app.app_context():
        days = Counter((user_id, family_id, local_date(at)) for user_id, family_id, at in
                       db.session.execute(select(InboxEntry.user_id, InboxEntry.family_id,
                                                 InboxEntry.created_at)
                                          .where(InboxEntry.kind == "news")))
        db.session.remove()
    return max(days.values(), default=0)


def _read(app: Flask, partnership: str) -> Reading:
    per_flag, news, weeks = _replay(app)
    with app.app_context():
        open_states = (FlagState.OPEN.value, FlagState.ACKNOWLEDGED.value)
        counts = dict(db.session.execute(
            select(Flag.family_id, func.count()).where(Flag.state.in_(open_states))
            .group_by(Flag.family_id)).all())
        concerns = {family_id: len(family_concerns(family_id)["concerns"])
                    for family_id in counts}
        worst_id = max(concerns, key=concerns.__getitem__) if concerns else None
        worst = "" if worst_id is None else db.session.get_one(Family, worst_id).reference
        db.session.remove()
    users = sorted(set(per_flag) | set(news))
    return Reading(partnership, len(counts), [counts[f] for f in counts],
                   [concerns[f] for f in counts], worst,
                   [per_flag[user] / weeks for user in users],
                   [news[user] / weeks for user in users], _most_a_day(app))


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


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3g} / {max(values):.3g}" if values else "- / -"


def report(readings: list[Reading]) -> str:
    lines = [f"{'partnership':<38} {'families':>8} {'flags med/max':>14} "
             f"{'concerns med/max':>17} {'inbox/week before':>18} {'after':>13} "
             f"{'a day max':>9}"]
    for reading in readings:
        lines.append(f"{reading.partnership:<38} {reading.families:>8} "
                     f"{_spread(reading.flags):>14} {_spread(reading.concerns):>17} "
                     f"{_spread(reading.weekly_before):>18} {_spread(reading.weekly_after):>13} "
                     f"{reading.most_a_day:>9}")
    lines.append("(flags and concerns: per family with anything open; inbox: entries per "
                 "practitioner per week, median / max, besides immediate concerns)")
    demo = readings[0]
    worst = max(demo.concerns, default=0)
    lines.append(f"target: the worst demo family ({demo.worst}) shows at most {TARGET_CARDS} "
                 f"concern cards: {worst} - {'met' if worst <= TARGET_CARDS else 'NOT MET'}")
    most = max(reading.most_a_day for reading in readings)
    lines.append(f"target: at most one news entry per family per day per person: {most} - "
                 f"{'met' if most <= 1 else 'NOT MET'}")
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
