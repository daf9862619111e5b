"""One app per database per test session; every test runs on SQLite and on PostgreSQL.

Tests commit for real (through the request boundary, as in production) and each leaves
nothing for the next: after every test the tables it wrote are put back as the migrations
left them (tests/support/isolation.py), and what the process keeps in memory or on disk
between requests (the rubric's cached versions, the app's settings, the media folder, the
audit checkpoint file) is reset with them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from tests.factories import Factory
from tests.support import isolation
from tests.support.api_client import ApiClient
from tests.support.clock import SHARED_FIXTURES_EARLIER, describe_clock, pinned_clock
from tests.support.databases import databases
from tests.support.postgres import PostgresServer, as_role, start_postgres

os.environ.setdefault("HOMELOG_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("HOMELOG_ENV", "production")  # the strict defaults are what we test
os.environ.setdefault("HOMELOG_AUDIT_KEY", "test-audit-key-not-for-production-0123456789")
# Checkpoints of the test databases' audit chains never go near a real instance folder.
os.environ.setdefault("HOMELOG_AUDIT_CHECKPOINTS", os.path.join(
    tempfile.mkdtemp(prefix="homelog-audit-"), "audit-checkpoints.jsonl"))
AUDIT_CHECKPOINTS = Path(os.environ["HOMELOG_AUDIT_CHECKPOINTS"])
# Signing in with a code is tested in tests/accounts; elsewhere a password is enough.
os.environ.setdefault("HOMELOG_REQUIRE_SECOND_FACTOR", "false")

DATABASES = databases()


def pytest_report_header() -> str:
    return f"clock: {describe_clock()}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    if report.failed:  # a failure names the instant it happened at
        report.sections.append(("clock", describe_clock()))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if terminalreporter.stats.get("failed") or terminalreporter.stats.get("error"):
        terminalreporter.write_line(f"These failures happened on {describe_clock()}.", red=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """Each test starts at the run's pinned instant, if it has one (tests/support/clock.py)."""
    with pinned_clock():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest) -> object:
    """A fixture shared by several tests is made before the pinned instant: what it records
    must not lie in the future of the tests after the first, which start at the instant."""
    if fixturedef.scope == "function":
        return (yield)
    with pinned_clock(earlier=SHARED_FIXTURES_EARLIER):
        return (yield)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


# PostgreSQL: the tables belong to one role, which runs the migrations; the app connects
# as another that owns nothing and may not UPDATE or DELETE append-only rows (core/roles.py).
OWNER_ROLE, APP_ROLE = "homelog_owner", "homelog_app"


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session database's URL, as its owner (the role migrations run as)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'homelog.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    for role in (OWNER_ROLE, APP_ROLE):
        server.ensure_role(role)
    return server.create_database("homelog_test", owner=OWNER_ROLE)


def _migrate(database_url: str, media: Path) -> str:
    """Run the real migrations (triggers included; never create_all) as the owner; returns
    the URL the app connects with."""
    from homelog import create_app
    from homelog.extensions import db

    postgres = not database_url.startswith("sqlite")
    owner = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                        "HOMELOG_MEDIA_DIR": str(media),
                        "HOMELOG_DATABASE_APP_ROLE": APP_ROLE if postgres else ""})
    with owner.app_context():
        upgrade()
        db.engine.dispose()
    return as_role(database_url, APP_ROLE) if postgres else database_url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from homelog import create_app

    media = tmp_path_factory.mktemp("media")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _migrate(database_url, media),
        "HOMELOG_MEDIA_DIR": str(media),
    })
    slate = isolation.watch(database_url)
    with isolation.kept_settings(app):
        yield app
    isolation.forget(slate)
    with app.app_context():
        from homelog.extensions import db

        db.engine.dispose()


@pytest.fixture(autouse=True)
def _leave_nothing_behind() -> Iterator[None]:
    """After each test: the databases as migrated, the settings as configured, the media
    folders and the audit checkpoints empty. Autouse, so it is set up before (and torn
    down after) every other fixture of the test, live servers' requests included."""
    yield
    isolation.reset_after_test(AUDIT_CHECKPOINTS)


@pytest.fixture
def db_dialect(app: Flask) -> str:
    from homelog.extensions import db

    with app.app_context():
        return str(db.engine.dialect.name)


@pytest.fixture
def factory(app: Flask) -> Factory:
    # No app context is held open here: each request must get its own, as in production.
    return Factory(app)


@pytest.fixture
def client(app: Flask) -> ApiClient:
    return ApiClient(app)


@pytest.fixture
def make_client(app: Flask):
    return lambda: ApiClient(app)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
