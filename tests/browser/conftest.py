"""Browser tests: Debian's Chromium, driven by Playwright, against the real app.

One live server per session (the real Flask app on a real SQLite file, in a thread, serving
the real build of frontend/), one browser per session, and a fresh context (cookies,
storage, service workers) per test, at a phone's 360 x 800 with touch.

`make prod-check` runs these same tests against a deployment instead (nginx over HTTPS,
gunicorn, PostgreSQL, the object store): HOMELOG_E2E_BASE_URL is its address, the
environment holds its settings (records are made through the services in its database),
and HOMELOG_E2E_TRUST_SPKI is the hash of its certificate's key, which Chromium trusts as a
real certificate (so the service worker and secure cookies are what a phone gets). Tests
marked `in_process` change the server's own settings and are left out of that run.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from tests.browser.screens import ConsoleWatch
from tests.factories import Factory
from tests.support import isolation

CHROMIUM = Path(os.environ.get("HOMELOG_CHROMIUM", "/usr/bin/chromium"))
PHONE = {"viewport": {"width": 360, "height": 800}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2, "locale": "en-GB", "timezone_id": "Europe/London"}
# Quiet and repeatable: nothing from the browser's own services, no QUIC, no first-run UI.
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-default-apps", "--disable-extensions",
                 "--no-proxy-server"]  # loopback only, whatever the environment says
REPO = Path(__file__).resolve().parents[2]
DEPLOYMENT = os.environ.get("HOMELOG_E2E_BASE_URL", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="changes the server's own settings: not against a deployment")
    for item in items:
        if DEPLOYMENT and item.get_closest_marker("in_process"):
            item.add_marker(skip)
        if not DEPLOYMENT and item.get_closest_marker("deployment"):
            item.add_marker(pytest.mark.skip(reason="for `make prod-check` (a deployment)"))


@pytest.fixture(scope="session")
def app_build() -> Path:
    """The real build of the app, built (or found up to date) by the Makefile."""
    if shutil.which("npm") is None:
        pytest.fail("The browser tests need the app built, and npm is missing: run `make test`.")
    result = subprocess.run(["make", "--no-print-directory", "frontend"], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"make frontend failed:\n{result.stdout}{result.stderr}"
    build = REPO / "homelog" / "web" / "dist"
    assert (build / "index.html").is_file() and (build / "sw.js").is_file()
    return build


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where screenshots go: HOMELOG_TEST_OUTPUT, or test-output/ in the repository."""
    folder = Path(os.environ.get("HOMELOG_TEST_OUTPUT", REPO / "test-output"))
    (folder / "screenshots").mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def live_app(app_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from homelog import create_app
    from homelog.extensions import db

    if DEPLOYMENT:  # the deployment's own settings, from the environment; it is migrated
        app = create_app({"TESTING": True})
        yield app
        with app.app_context():
            db.engine.dispose()
        return
    folder = tmp_path_factory.mktemp("browser")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'homelog.sqlite3'}",
        "HOMELOG_MEDIA_DIR": str(folder / "media"),
        "HOMELOG_APP_DIR": str(app_build),
        "HOMELOG_COOKIE_SECURE": False,  # plain HTTP on loopback
    })
    with app.app_context():
        upgrade()
    # Each test leaves the live server's database as migrated (tests/support/isolation.py).
    slate = isolation.watch(app.config["SQLALCHEMY_DATABASE_URI"])
    with isolation.kept_settings(app):
        yield app
    isolation.forget(slate)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    if DEPLOYMENT:
        yield DEPLOYMENT.rstrip("/")
        return
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def factory(live_app: Flask) -> Factory:
    """Records made through the services, in the live server's database."""
    return Factory(live_app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-deps` installs Debian's chromium.")
    args = list(CHROMIUM_ARGS)
    if os.environ.get("HOMELOG_E2E_TRUST_SPKI"):
        args.append(f"--ignore-certificate-errors-spki-list={os.environ['HOMELOG_E2E_TRUST_SPKI']}")
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    with sync_playwright() as playwright:
        # Playwright gives each launch a fresh, temporary user-data-dir.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=args)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server, **PHONE)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    watch = ConsoleWatch(page)
    yield page
    watch.assert_no_policy_violations()
