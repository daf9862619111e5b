"""The app as it is deployed, for the fault and load tests (and bench/load.py): gunicorn's
sync workers on a real database, and phones that talk to it over HTTP.

The database is migrated and filled in this process (tests/factories.py, the real
services); gunicorn then serves the same database and media folder.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from flask_migrate import upgrade
from PIL import Image

from homelog import create_app
from homelog.extensions import db
from tests import factories
from tests.support.postgres import PostgresServer, as_role

REPO = Path(__file__).resolve().parents[2]
OWNER_ROLE, APP_ROLE = "homelog_owner", "homelog_app"  # the roles tests/conftest.py uses
SECRET = "reliability-tests-secret-key-not-for-production"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def checkpoints(media: Path) -> str:
    """This database's own audit checkpoint file (one shared by several databases would
    hold heads that are not this chain's)."""
    return str(media.parent / "audit-checkpoints.jsonl")


def settings(database_url: str, media: Path, **extra: str) -> dict[str, str]:
    """The environment the server runs with (and the app here is built from)."""
    return {"HOMELOG_DATABASE_URL": database_url, "HOMELOG_MEDIA_DIR": str(media),
            "HOMELOG_AUDIT_CHECKPOINTS": checkpoints(media),
            "HOMELOG_SECRET_KEY": os.environ.get("HOMELOG_SECRET_KEY", SECRET),
            "HOMELOG_ENV": "production", "HOMELOG_COOKIE_SECURE": "0",  # plain HTTP, loopback
            "HOMELOG_REQUIRE_SECOND_FACTOR": "false", **extra}


@dataclass(frozen=True)
class Database:
    """A new database: migrations run as its owner, the app connects as `app_url` (on
    PostgreSQL a role that owns nothing, as in production; see tests/conftest.py)."""

    kind: str
    owner_url: str
    app_url: str


def new_database(kind: str, folder: Path, server: PostgresServer | None, name: str
                 ) -> Database:
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'homelog.sqlite3'}"
        return Database(kind, url, url)
    assert server is not None
    for role in (OWNER_ROLE, APP_ROLE):
        server.ensure_role(role)
    url = server.create_database(name.replace("-", "_").lower(), owner=OWNER_ROLE)
    return Database(kind, url, as_role(url, APP_ROLE))


def migrated_app(database: Database, media: Path) -> Flask:
    """The app on this database, migrated for real; for filling it through the services."""
    config = {"TESTING": True, "HOMELOG_MEDIA_DIR": str(media),
              "HOMELOG_AUDIT_CHECKPOINTS": checkpoints(media)}
    owner = create_app({**config, "SQLALCHEMY_DATABASE_URI": database.owner_url,
                        "HOMELOG_DATABASE_APP_ROLE":
                            APP_ROLE if database.kind == "postgresql" else ""})
    with owner.app_context():
        upgrade()
        db.engine.dispose()
    return create_app({**config, "SQLALCHEMY_DATABASE_URI": database.app_url})


class Gunicorn:
    """`gunicorn --preload -w N wsgi:app` on a free loopback port, in its own process group.

    Preloaded: the app is imported once, by the master, and each worker (a killed one's
    replacement too) starts at once instead of importing it again (seconds on 2 cores).
    """

    def __init__(self, environment: dict[str, str], log: Path, workers: int = 2,
                 timeout: int = 60) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [str(Path(sys.executable).parent / "gunicorn"), "--no-control-socket",
                   "--preload", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                   "--backlog", "512",
                   "--timeout", str(timeout), "--graceful-timeout", "5", "wsgi:app"]
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            command, cwd=REPO, env={**os.environ, **environment}, stdout=self._log_file,
            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.tail()}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=30).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.1)  # waiting for a process to start, not for time to pass
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.tail()}")

    def tail(self, chars: int = 6000) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown: the master stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_file.close()


def small_jpeg(seed: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """A small real JPEG, different for each seed (a retry is recognised by the file's hash)."""
    image = Image.new("RGB", size, (seed * 37 % 256, seed * 91 % 256, 140))
    for x in range(0, size[0], 16):  # some detail, so it is not one flat colour
        image.paste((x % 256, 200 - x % 128, seed % 256), (x, 0, x + 8, size[1] // 2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def visit_body(seed: int = 0, hours_ago: float = 2) -> dict[str, Any]:
    """The factory's valid visit, a little while ago, varied by `seed` (the server runs on
    the real clock, so the time is set here rather than read from the tests' clock)."""
    when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    return factories.visit_body(
        visited_at=when.isoformat(timespec="seconds"), announced=bool(seed % 2),
        scores={domain: 1 + (seed + index) % 3 for index, domain in enumerate(factories.DOMAINS)},
        notes=f"Visit {seed}.")


@dataclass
class Answer:
    status: int  # 0: no answer (the connection broke, or the client gave up waiting)
    body: Any
    seconds: float
    headers: dict[str, str]


class Phone:
    """One signed-in practitioner's phone: its cookie, its CSRF token, its keys."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.http = requests.Session()
        self.csrf = ""

    def sign_in(self, email: str, password: str, attempts: int = 3) -> int:
        """Sign in; a 503 (busy) is retried after its Retry-After, as the app does.
        Returns how many times it was busy."""
        for busy in range(attempts):
            response = self.http.post(f"{self.base_url}/api/v1/session",
                                      json={"email": email, "password": password},
                                      timeout=self.timeout)
            if response.status_code != 503 or busy == attempts - 1:
                break
            time.sleep(int(response.headers.get("Retry-After", "1")))  # the server's wish
        if response.status_code != 201:
            raise RuntimeError(f"sign-in answered {response.status_code}: {response.text}")
        self.csrf = response.json()["csrf_token"]
        return busy

    def _send(self, method: str, path: str, key: str | None = None, timeout: float | None = None,
              **kwargs: Any) -> Answer:
        headers = {"X-CSRF-Token": self.csrf}
        if key is not None:
            headers["Idempotency-Key"] = key
        started = time.perf_counter()
        try:
            response = self.http.request(method, f"{self.base_url}{path}", headers=headers,
                                         timeout=timeout or self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout):
            return Answer(0, None, time.perf_counter() - started, {})
        json_body = response.headers.get("Content-Type", "").startswith("application/json")
        body = response.json() if json_body and response.content else response.content
        return Answer(response.status_code, body, time.perf_counter() - started,
                      dict(response.headers))

    def get(self, path: str) -> Answer:
        return self._send("GET", path)

    def record_visit(self, family_id: int, body: dict[str, Any], key: str,
                     timeout: float | None = None) -> Answer:
        return self._send("POST", f"/api/v1/families/{family_id}/visits", key, timeout,
                          json=body)

    def add_photo(self, visit_id: int, data: bytes, key: str, domain: str = "kitchen",
                  caption: str = "", timeout: float | None = None) -> Answer:
        form = {"domain_key": domain, "room": "kitchen", "caption": caption,
                "parent_agreed": "true"}
        return self._send("POST", f"/api/v1/visits/{visit_id}/photos", key, timeout,
                          data=form, files={"file": ("photo.jpg", data, "image/jpeg")})


def new_key() -> str:
    return str(uuid.uuid4())
