"""`flask demo load`: loads once, loads again without duplicating, and shows its three patterns.

Independent of the shared fixtures: each database gets its own app, migrated for real, and
the command is run through Flask's CLI runner twice, as `make setup` would on a rerun.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from homelog import create_app
from homelog.accounts.models import User
from homelog.audit.verify import verify_chain
from homelog.core.time import local_date, local_today, utcnow
from homelog.demo.partnership import (
    DEMO_PASSWORD,
    FAMILIES,
    STABLE_FAMILY,
    SWINGING_FAMILY,
    USERS,
    WINDOW_DAYS,
    WORSENING_FAMILY,
    UserSpec,
    core_group_of,
)
from homelog.demo.plan import plan_visits
from homelog.extensions import db
from homelog.families.models import CoreGroupMember, Family
from homelog.rubric.models import AgreementRevision, RubricVersion
from homelog.rubric.services import default_rubric_content
from homelog.visits.models import Event, Visit
from tests.support.databases import databases
from tests.support.postgres import start_postgres

COUNTED = (User, Family, CoreGroupMember, AgreementRevision, RubricVersion, Visit, Event)


def _make_app(monkeypatch: pytest.MonkeyPatch, url: str, env: str = "development") -> Flask:
    monkeypatch.setenv("HOMELOG_ENV", env)
    monkeypatch.setenv("HOMELOG_SECRET_KEY", "demo-tests-secret-key-not-for-production")
    monkeypatch.setenv("HOMELOG_DATABASE_URL", url)
    # The demo draws photos: keep them out of the developer's instance folder.
    monkeypatch.setenv("HOMELOG_MEDIA_DIR", tempfile.mkdtemp(prefix="homelog-demo-media-"))
    return create_app({"TESTING": True})


@contextmanager
def _database_url(kind: str, tmp: Path) -> Iterator[str]:
    """A fresh, empty database of the given kind, removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'demo.sqlite3'}"
        return
    try:
        server = start_postgres()
    except RuntimeError as error:
        pytest.skip(str(error))
    try:
        yield server.create_database("homelog_demo")
    finally:
        server.stop()


@dataclass
class Loaded:
    app: Flask
    first: Result
    second: Result
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in COUNTED}


@pytest.fixture(scope="module", params=databases())
def loaded(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """A fresh, migrated database on which `demo load` has been run twice."""
    with _database_url(request.param, tmp_path_factory.mktemp("demo")) as url:
        with pytest.MonkeyPatch.context() as monkeypatch:
            app = _make_app(monkeypatch, url)
        with app.app_context():
            upgrade()
        runner = app.test_cli_runner()
        first = runner.invoke(args=["demo", "load"])
        after_first = _counts(app)
        second = runner.invoke(args=["demo", "load"])
        yield Loaded(app, first, second, after_first, _counts(app))
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(loaded: Loaded) -> Iterator[Flask]:
    with loaded.app.app_context():
        yield loaded.app


# --- helpers ----------------------------------------------------------------------------------

def _current_visits(reference: str) -> list[Visit]:
    """The family's visits as they stand (amended originals replaced), oldest first."""
    family = db.session.execute(select(Family).where(Family.reference == reference)).scalar_one()
    visits = db.session.execute(
        select(Visit).where(Visit.family_id == family.id).order_by(Visit.visited_at)
    ).scalars().all()
    superseded = {visit.supersedes_id for visit in visits if visit.supersedes_id}
    return [visit for visit in visits if visit.id not in superseded]


def _week(visit: Visit) -> int:
    """The week of the eight-week window the visit fell in (0 = oldest)."""
    return (WINDOW_DAYS - (local_today() - local_date(visit.visited_at)).days) // 7


def _mean(visits: list[Visit]) -> float:
    return statistics.mean(score for visit in visits for score in visit.scores.values()
                           if score is not None)


# --- loading ----------------------------------------------------------------------------------

def test_loads_once_and_a_second_run_adds_nothing(loaded: Loaded) -> None:
    assert loaded.first.exit_code == 0, loaded.first.output
    assert loaded.second.exit_code == 0, loaded.second.output
    assert "Demo partnership loaded" in loaded.first.output
    assert "Demo partnership already loaded" in loaded.second.output
    assert loaded.counts_after_second == loaded.counts_after_first
    counts = loaded.counts_after_first
    assert counts["user_account"] == len(USERS)
    assert counts["family"] == len(FAMILIES)
    assert counts["visit"] > 60
    assert counts["event"] >= 3


@pytest.mark.parametrize("user", USERS, ids=lambda user: user.key)
def test_both_runs_print_every_login_on_one_line(loaded: Loaded, user: UserSpec) -> None:
    for output in (loaded.first.output, loaded.second.output):
        lines = [line for line in output.splitlines() if user.email in line]
        assert len(lines) == 1, output
        assert lines[0].split()[:3] == [user.email, DEMO_PASSWORD, user.role.value]
        assert lines[0].rstrip().endswith(user.agency.name)


def test_users_are_named_by_role_and_can_sign_in(loaded: Loaded) -> None:
    client = loaded.app.test_client()
    response = client.post("/api/v1/session",
                           json={"email": USERS[0].email, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.get_json()
    with loaded.app.app_context():
        users = {user.email: user for user in db.session.execute(select(User)).scalars()}
        assert all(user.name.startswith("Demo ") for user in users.values())
        lead = users["lead.social.worker@demo.homelog.test"]
        assert lead.manager_id == users["manager@demo.homelog.test"].id


def test_one_practitioner_is_in_some_core_groups_and_not_others(loaded) -> None:
    """The demo shows access at work: the family support worker sees DEMO-002 and is told
    the others do not exist."""
    client = loaded.app.test_client()
    signed_in = client.post("/api/v1/session", json={
        "email": "family.support.worker@demo.homelog.test", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 201, signed_in.get_json()
    mine = client.get("/api/v1/families").get_json()
    assert [family["reference"] for family in mine] == ["DEMO-002"]
    with loaded.app.app_context():
        others = db.session.execute(select(Family.id).where(
            Family.reference.in_(["DEMO-001", "DEMO-003"]))).scalars().all()
    assert len(others) == 2
    for family_id in others:
        assert client.get(f"/api/v1/families/{family_id}").status_code == 404


def test_every_family_has_its_core_group_and_agreement(app: Flask) -> None:
    for spec in FAMILIES:
        members = {user.email for user in USERS
                   if user.key in {*core_group_of(spec), "lead"}}
        family = db.session.execute(
            select(Family).where(Family.reference == spec.reference)).scalar_one()
        emails = set(db.session.execute(
            select(User.email).join(CoreGroupMember, CoreGroupMember.user_id == User.id)
            .where(CoreGroupMember.family_id == family.id)).scalars())
        assert emails == members
        assert family.plan_category == "neglect"
        assert 63 <= (local_today() - family.opened_on).days <= 77  # about ten weeks
        agreement = db.session.execute(select(AgreementRevision).where(
            AgreementRevision.family_id == family.id)).scalar_one()
        assert set(agreement.levels.values()) <= {1, 2}


def test_visits_obey_the_rules_a_phone_would(app: Flask) -> None:
    now = utcnow()
    for spec in FAMILIES:
        visits = _current_visits(spec.reference)
        opened_on = db.session.get_one(Family, visits[0].family_id).opened_on
        assert len({visit.agency_id for visit in visits}) >= 4
        assert {visit.announced for visit in visits} == {True, False}
        for visit in visits:
            assert visit.visited_at.tzinfo is not None and visit.visited_at < now
            assert local_date(visit.visited_at) >= opened_on
            worrying = any(score and score >= 4 for score in visit.scores.values())
            if worrying or visit.concerns:
                assert visit.notes.strip(), visit.id


def test_one_amendment_and_each_kind_of_event(app: Flask) -> None:
    amendments = db.session.execute(
        select(Visit).where(Visit.supersedes_id.is_not(None))).scalars().all()
    assert len(amendments) == 1 and amendments[0].amendment_reason
    kinds = set(db.session.execute(select(Event.kind)).scalars())
    assert kinds == {"police_callout", "gp_information", "hospital_contact"}
    assert verify_chain().intact


# --- the three patterns -----------------------------------------------------------------------

def test_stable_family_stays_good_enough(app: Flask) -> None:
    visits = _current_visits(STABLE_FAMILY.reference)
    scores = [score for visit in visits for score in visit.scores.values() if score is not None]
    assert set(scores) <= {1, 2}
    assert not any(visit.concerns for visit in visits)


def test_worsening_family_gets_worse(app: Flask) -> None:
    visits = _current_visits(WORSENING_FAMILY.reference)
    first_two_weeks = [visit for visit in visits if _week(visit) <= 1]
    last_two_weeks = [visit for visit in visits if _week(visit) >= 6]
    assert first_two_weeks and last_two_weeks
    assert _mean(last_two_weeks) > _mean(first_two_weeks) + 1
    assert max(visit.scores["kitchen"] or 0 for visit in last_two_weeks) >= 4
    assert any("faeces_or_rot_in_child_areas" in visit.concerns for visit in last_two_weeks)


def test_swinging_family_swings_within_a_week(app: Flask) -> None:
    visits = _current_visits(SWINGING_FAMILY.reference)
    swings = [
        (earlier, later, key)
        for earlier, later in itertools.combinations(visits, 2)
        if later.visited_at - earlier.visited_at <= dt.timedelta(days=7)
        for key, score in earlier.scores.items()
        if score is not None and score <= 2 and (later.scores[key] or 0) >= 4
    ]
    assert swings
    disagreements = [
        (a, b) for a, b in itertools.combinations(visits, 2)
        if a.agency_id != b.agency_id
        and abs(b.visited_at - a.visited_at) <= dt.timedelta(hours=48)
        and any(a.scores[key] is not None and b.scores[key] is not None
                and abs(a.scores[key] - b.scores[key]) >= 2 for key in a.scores)
    ]
    assert disagreements


def test_swinging_family_is_worse_unannounced_and_partner_never_seen(app: Flask) -> None:
    visits = _current_visits(SWINGING_FAMILY.reference)
    announced = [visit for visit in visits if visit.announced]
    unannounced = [visit for visit in visits if not visit.announced]
    assert _mean(unannounced) >= _mean(announced) + 1
    assert sum("unsafe_sleep" in visit.concerns for visit in visits) == 1
    assert not any("father_or_partner" in visit.present for visit in visits)


# --- without a database -----------------------------------------------------------------------

def test_plan_is_deterministic_and_fits_the_default_rubric() -> None:
    rubric = default_rubric_content()
    domains = {domain["key"] for domain in rubric["domains"]}
    rooms = {room["key"] for room in rubric["rooms"]}
    concerns = {concern["key"] for concern in rubric["concerns"]}
    # Eight weeks that span the spring clock change, when 01:00-02:00 does not exist.
    today, zone = dt.date(2026, 4, 20), ZoneInfo("Europe/London")
    for spec in FAMILIES:
        plan = plan_visits(spec, today, zone)
        assert plan == plan_visits(spec, today, zone)
        assert len({visit.key_name for visit in plan}) == len(plan)
        for visit in plan:
            assert set(visit.scores) == domains
            assert set(visit.rooms_seen) <= rooms and set(visit.concerns) <= concerns
            assert visit.visited_at.date() < today


def test_refuses_to_load_in_production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = _make_app(monkeypatch, f"sqlite:///{tmp_path / 'live.sqlite3'}", env="production")
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "HOMELOG_ENV=development" in result.output
    assert "@demo.homelog.test" not in result.output
