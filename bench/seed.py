"""Seed a database with benchmark-sized demo data, fast.

    .venv/bin/python bench/seed.py DATABASE_URL [--families 1000] [--visits 60] [--json]

Runs the migrations, creates agencies and users through the real services
(homelog.accounts.services: argon2 hashes, policy checks), loads the default rubric
(homelog.rubric.services.current_rubric), then bulk-inserts families, children,
core-group memberships, visits, a few events and their audit entries with
SQLAlchemy Core executemany. The real services would take tens of minutes for
60,000 visits; the rows written here are the ones they would write:

* every rubric domain scored 1-5 or null; a note whenever a score is 4 or 5 or a
  concern is ticked; rooms, concerns and people present from the rubric's lists;
* visited_at timezone-aware UTC, after the family's opened_on and in the past;
* a unique (author_id, idempotency_key) per visit/event, a 64-hex request_hash;
* the audit trail stays a valid hash chain (`flask --app homelog audit verify` passes).

Primary keys are assigned here (after whatever the services created) so that audit
entries can name their targets; PostgreSQL sequences are moved past them afterwards.

The bench user (a lead social worker) is in the core group of every seeded family,
with three colleagues from other agencies. Prints a summary, or JSON with --json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

BENCH_EMAIL = "bench.lead@bench.homelog.test"
BENCH_PASSWORD = "bench-lead-password-not-secret"
COLLEAGUE_PASSWORD = "bench-colleague-password-not-secret"
_BATCH = 5000

# (agency name, kind)
_AGENCIES = [
    ("Bench Children's Services", "local_authority"),
    ("Bench Health Visiting", "health"),
    ("Bench Police", "police"),
    ("Bench Housing", "housing"),
    ("Bench GP Practice", "health"),
    ("Bench School Nursing", "health"),
]
# (email local part, name, agency index, role, profession)
_COLLEAGUES = [
    ("sw.two", "Sam Okafor", 0, "practitioner", "social_worker"),
    ("swa", "Ali Hussain", 0, "practitioner", "social_work_assistant"),
    ("hv.one", "Priya Shah", 1, "practitioner", "health_visitor"),
    ("hv.two", "Jo Evans", 1, "practitioner", "health_visitor"),
    ("police", "Mark Doyle", 2, "practitioner", "police_officer"),
    ("housing", "Beth Lowe", 3, "practitioner", "housing_officer"),
    ("gp", "Dr Nia Rees", 4, "practitioner", "gp"),
    ("nurse", "Kate Moss", 5, "practitioner", "school_nurse"),
]
_SCORE_CHOICES = [1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 5, None]
_NOTES = [
    "Kitchen cleared since last visit; fridge stocked.",
    "Bedding in the child's cot was soiled; discussed with mother.",
    "Dog kept in the garden during the visit. Rubbish bags by the back door.",
    "Heating off again, meter empty; referred to the housing officer.",
]
_PRESENTATION = ["", "Clean, appropriately dressed.", "Nappy rash noted.", "Tired, quiet."]
_INITIALS = ["AB", "CD", "EF", "GH", "JK", "LM", "NP", "RS", "TW"]
_EVENT_KINDS = ["police_callout", "gp_information", "school_information", "housing_information"]


@dataclass
class SeedResult:
    database_url: str
    email: str
    password: str
    bench_user_id: int
    family_ids: list[int]
    visits: int
    events: int
    audit_entries: int
    seconds: float


def _env(database_url: str) -> None:
    os.environ["HOMELOG_ENV"] = "development"
    os.environ["HOMELOG_DATABASE_URL"] = database_url
    os.environ.setdefault("HOMELOG_SECRET_KEY", secrets.token_urlsafe(32))


def _next_id(conn: Any, table: Any) -> int:
    from sqlalchemy import func, select

    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), _BATCH):
        conn.execute(insert(table), rows[start:start + _BATCH])


def _visit_scores(rng: random.Random, domains: list[str]) -> dict[str, int | None]:
    return {key: rng.choice(_SCORE_CHOICES) for key in domains}


def seed(database_url: str, families: int = 1000, visits_per_family: int = 60,
         events_per_family: int = 4, *, rng_seed: int = 20261126,
         verify: bool = False) -> SeedResult:
    """Migrate `database_url` and fill it; returns what the benchmark needs to sign in."""
    started = time.monotonic()
    _env(database_url)

    import flask_migrate
    from sqlalchemy import text

    from homelog import create_app
    from homelog.accounts import services as accounts
    from homelog.accounts.models import Profession, Role
    from homelog.audit.models import AuditEntry
    from homelog.audit.services import GENESIS, Actor, _content, entry_hash
    from homelog.audit.verify import verify_chain
    from homelog.core.time import utcnow
    from homelog.extensions import db
    from homelog.families.models import Child, CoreGroupMember, Family
    from homelog.families.services import PLAN_CATEGORIES
    from homelog.rubric.services import current_rubric
    from homelog.visits.models import Event, Visit
    from homelog.visits.services import PRESENT_OPTIONS

    rng = random.Random(rng_seed)
    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()

        # --- the real services: agencies, users (argon2), the default rubric --------------
        existing = accounts.find_user_by_email(BENCH_EMAIL)
        if existing is not None:
            raise SystemExit(f"{database_url} is already seeded (found {BENCH_EMAIL}).")
        agencies = [accounts.create_agency(name, kind) for name, kind in _AGENCIES]
        lead = accounts.create_user(accounts.NewUser(
            email=BENCH_EMAIL, name="Bench Lead", agency_id=agencies[0].id,
            role=Role.LEAD_SOCIAL_WORKER, profession=Profession.SOCIAL_WORKER,
            password=BENCH_PASSWORD,
        ))
        colleagues = [
            accounts.create_user(accounts.NewUser(
                email=f"{local}@bench.homelog.test", name=name, agency_id=agencies[agency].id,
                role=Role(role), profession=Profession(profession),
                password=COLLEAGUE_PASSWORD,
            ))
            for local, name, agency, role, profession in _COLLEAGUES
        ]
        rubric = current_rubric()
        db.session.commit()

        domains = list(rubric.domains)
        rooms = list(rubric.rooms)
        concern_keys = list(rubric.concerns)
        people = {user.id: (user.agency_id, user.profession.value)
                  for user in [lead, *colleagues]}
        lead_id = lead.id

        conn = db.session.connection()
        family_t, child_t = Family.__table__, Child.__table__
        member_t, visit_t = CoreGroupMember.__table__, Visit.__table__
        event_t, audit_t = Event.__table__, AuditEntry.__table__
        next_family = _next_id(conn, family_t)
        next_child = _next_id(conn, child_t)
        next_member = _next_id(conn, member_t)
        next_visit = _next_id(conn, visit_t)
        next_event = _next_id(conn, event_t)
        next_audit = _next_id(conn, audit_t)
        prev_hash = conn.execute(
            text("SELECT entry_hash FROM audit_entry ORDER BY id DESC LIMIT 1")
        ).scalar() or GENESIS

        now = utcnow()
        today = now.date()
        family_rows: list[dict[str, Any]] = []
        child_rows: list[dict[str, Any]] = []
        member_rows: list[dict[str, Any]] = []
        visit_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        audit_rows: list[dict[str, Any]] = []

        audit_key = app.config["HOMELOG_AUDIT_KEY"]

        def audit(at: dt.datetime, user_id: int, action: str, family_id: int,
                  target_type: str, target_id: int, basis: str) -> None:
            nonlocal prev_hash, next_audit
            actor = Actor(user_id, people[user_id][0])
            content = _content(at, actor, action, family_id, target_type, target_id, basis, None)
            digest = entry_hash(prev_hash, content, audit_key)
            audit_rows.append({
                "id": next_audit, "at": at, "user_id": user_id, "agency_id": actor.agency_id,
                "action": action, "family_id": family_id, "target_type": target_type,
                "target_id": target_id, "basis": basis, "detail": None,
                "prev_hash": prev_hash, "entry_hash": digest, "keyed": True,
            })
            prev_hash = digest
            next_audit += 1

        family_ids = []
        for index in range(families):
            family_id = next_family + index
            family_ids.append(family_id)
            opened_on = today - dt.timedelta(days=rng.randint(400, 1500))
            created_at = dt.datetime.combine(opened_on, dt.time(9, 30), dt.UTC)
            family_rows.append({
                "id": family_id, "reference": f"BENCH-{index + 1:05d}", "address": "",
                "opened_on": opened_on, "status": "open",
                "plan_category": rng.choice(PLAN_CATEGORIES), "plan_started_on": opened_on,
                "created_at": created_at, "created_by_id": lead_id,
            })
            audit(created_at, lead_id, "family.create", family_id, "family", family_id, "creator")
            for _ in range(rng.randint(1, 3)):
                child_rows.append({
                    "id": next_child, "family_id": family_id,
                    "initials": rng.choice(_INITIALS),
                    "date_of_birth": opened_on - dt.timedelta(days=rng.randint(30, 3000)),
                })
                next_child += 1
            group = [lead_id, *(user.id for user in rng.sample(colleagues, 3))]
            for position, user_id in enumerate(group):
                member_rows.append({
                    "id": next_member, "family_id": family_id, "user_id": user_id,
                    "is_lead": position == 0, "added_at": created_at, "added_by_id": lead_id,
                })
                next_member += 1
                if position:
                    audit(created_at, lead_id, "core_group.add", family_id, "user", user_id,
                          "core_group_lead")

            # Visits spread from the day after opening to yesterday, oldest first.
            first = dt.datetime.combine(opened_on + dt.timedelta(days=1), dt.time(8), dt.UTC)
            span = (now - dt.timedelta(days=1) - first).total_seconds()
            moments = sorted(first + dt.timedelta(seconds=rng.uniform(0, span))
                             for _ in range(visits_per_family))
            for visited_at in moments:
                author = rng.choice(group)
                scores = _visit_scores(rng, domains)
                concerns = [rng.choice(concern_keys)] if rng.random() < 0.08 else []
                worrying = concerns or any(s is not None and s >= 4 for s in scores.values())
                recorded_at = visited_at + dt.timedelta(minutes=rng.randint(5, 240))
                visit_rows.append({
                    "id": next_visit, "family_id": family_id, "rubric_version_id": rubric.id,
                    "author_id": author, "agency_id": people[author][0],
                    "author_profession": people[author][1], "visited_at": visited_at,
                    "announced": rng.random() < 0.5,
                    "present": rng.sample(PRESENT_OPTIONS, rng.randint(1, 3)),
                    "rooms_seen": rng.sample(rooms, rng.randint(3, len(rooms))),
                    "scores": scores, "concerns": concerns,
                    "notes": rng.choice(_NOTES) if worrying or rng.random() < 0.3 else "",
                    "child_presentation": rng.choice(_PRESENTATION),
                    "recorded_at": recorded_at, "idempotency_key": str(uuid.uuid4()),
                    "request_hash": secrets.token_hex(32),
                    "supersedes_id": None, "amendment_reason": None,
                })
                basis = "core_group_lead" if author == lead_id else "core_group_member"
                audit(recorded_at, author, "visit.create", family_id, "visit", next_visit, basis)
                next_visit += 1
            for _ in range(events_per_family):
                occurred_at = first + dt.timedelta(seconds=rng.uniform(0, span))
                author = rng.choice(group)
                recorded_at = occurred_at + dt.timedelta(hours=rng.randint(1, 48))
                recorded_at = min(recorded_at, now - dt.timedelta(minutes=1))
                event_rows.append({
                    "id": next_event, "family_id": family_id, "occurred_at": occurred_at,
                    "kind": rng.choice(_EVENT_KINDS),
                    "summary": "Information shared with the core group.",
                    "source": "Bench seed", "recorded_by_id": author,
                    "agency_id": people[author][0], "author_profession": people[author][1],
                    "recorded_at": recorded_at, "idempotency_key": str(uuid.uuid4()),
                    "request_hash": secrets.token_hex(32),
                })
                basis = "core_group_lead" if author == lead_id else "core_group_member"
                audit(recorded_at, author, "event.create", family_id, "event", next_event, basis)
                next_event += 1

        for table, rows in ((family_t, family_rows), (child_t, child_rows),
                            (member_t, member_rows), (visit_t, visit_rows),
                            (event_t, event_rows), (audit_t, audit_rows)):
            _insert(conn, table, rows)
        if conn.dialect.name == "postgresql":
            for table in ("family", "child", "core_group_member", "visit", "event",
                          "audit_entry"):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                ))
        db.session.commit()
        if conn.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
                raw.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.connect() as raw:
                raw.exec_driver_sql("ANALYZE")
                raw.commit()
        if verify:
            report = verify_chain()
            if not report.intact:
                raise SystemExit(f"seeded audit chain broken at {report.first_broken_id}")
        db.session.remove()
        db.engine.dispose()

    return SeedResult(
        database_url=database_url, email=BENCH_EMAIL, password=BENCH_PASSWORD,
        bench_user_id=lead_id, family_ids=family_ids, visits=len(visit_rows),
        events=len(event_rows), audit_entries=len(audit_rows),
        seconds=round(time.monotonic() - started, 1),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=60, help="visits per family")
    parser.add_argument("--events", type=int, default=4, help="events per family")
    parser.add_argument("--verify", action="store_true", help="verify the audit chain after")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = seed(args.database_url, args.families, args.visits, args.events,
                  verify=args.verify)
    if args.json:
        print("SEED_RESULT " + json.dumps(asdict(result)))
    else:
        print(f"Seeded {len(result.family_ids)} families, {result.visits} visits, "
              f"{result.events} events, {result.audit_entries} audit entries "
              f"in {result.seconds}s; sign in as {result.email} / {result.password}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
