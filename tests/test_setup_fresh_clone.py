"""The "two commands" promise: a fresh clone sets itself up and serves the demo.

Clones the committed repository (uncommitted changes are deliberately left out),
runs `make setup` there, serves with `make run`, signs in with a demo login, and
checks that setting up again is quick and adds no second copy of the demo data.
Every make runs with an old Node (Debian 12's 18, which Vite refuses) first on the PATH:
a stand-in that records each call and fails, so the app must be built with the Node the
Makefile installs, never with the one the PATH offers first.
pip's and npm's caches are reused, so this takes a minute or two. Deselect with -m "not setup".
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.setup

REPO = Path(__file__).resolve().parent.parent
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DEMO_TABLES = ("agency", "user_account", "family")
OLD_NODE_TOOLS = ("node", "npm", "npx")
# Answers a version question like Debian 12's Node 18 would; anything else fails. Every call,
# that question included, is written to the file named in the script.
OLD_NODE = """#!/bin/sh
echo "$(basename "$0") $*" >> '{calls}'
case "$1" in -v|--version) echo {version}; exit 0 ;; esac
echo "$(basename "$0"): Node 18 here, which Vite refuses" >&2
exit 1
"""


def _clean_env(old_node: Path) -> dict[str, str]:
    """The environment of a developer's shell, no settings leaking in from this test run,
    whose PATH finds an old node and npm (in old_node) before anything else."""
    leaks = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VIRTUAL_ENV", "PYTHONPATH")
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("HOMELOG_", "PYTEST_")) and key not in leaks
    }
    env["PATH"] = os.pathsep.join([str(old_node), env.get("PATH", os.defpath)])
    return env


def _make(clone: Path, old_node: Path, *args: str, timeout: float) -> str:
    result = subprocess.run(
        ["make", *args], cwd=clone, env=_clean_env(old_node), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=timeout,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"make {' '.join(args)} failed:\n{output[-4000:]}"
    return output


def _demo_login(output: str) -> tuple[str, str]:
    """The first demo login printed by `flask demo load`: email, then password."""
    for line in output.splitlines():
        match = EMAIL.search(line)
        if match and "demo" in match.group():
            fields = re.split(r"[\s,|;]+", line[match.end():].strip(" \t,|;:"))
            if fields and fields[0]:
                return match.group(), fields[0]
    raise AssertionError(f"no demo login in the output of make setup:\n{output[-4000:]}")


def _row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in DEMO_TABLES
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, body: dict[str, str] | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _wait_for_openapi(base: str, server: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"make run exited with {server.returncode}:\n{log.read_text()}")
        try:
            status, document = _request(f"{base}/api/v1/openapi.json")
        except (OSError, ValueError):
            time.sleep(0.3)
            continue
        if status == 200:
            return document
        time.sleep(0.3)
    raise AssertionError(f"the server did not answer within 90 s:\n{log.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    """Stop make and the server it started (they share a process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)


@pytest.fixture
def clone(tmp_path: Path) -> Iterator[Path]:
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("needs git and make")
    inside = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--is-inside-work-tree"],
                            capture_output=True, text=True)
    if inside.returncode != 0:
        pytest.skip("not running from a git checkout")
    target = tmp_path / "homelog"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True,
                   capture_output=True, timeout=60)
    yield target


@pytest.fixture
def old_node(tmp_path: Path) -> Path:
    """A folder of stand-ins for Node 18's node, npm and npx; they log calls to old_node/calls."""
    folder = tmp_path / "old_node"
    folder.mkdir()
    for tool in OLD_NODE_TOOLS:
        version = "9.2.0" if tool in ("npm", "npx") else "v18.19.0"
        script = folder / tool
        script.write_text(OLD_NODE.format(calls=folder / "calls", version=version))
        script.chmod(0o755)
    return folder


def _old_node_calls(old_node: Path) -> str:
    calls = old_node / "calls"
    return calls.read_text() if calls.exists() else ""


def test_fresh_clone_sets_up_serves_and_sets_up_again(
    clone: Path, old_node: Path, tmp_path: Path,
) -> None:
    for tool in OLD_NODE_TOOLS:  # the stand-ins really come first
        assert shutil.which(tool, path=_clean_env(old_node)["PATH"]) == str(old_node / tool)
    first = _make(clone, old_node, "setup", timeout=300)  # npm ci and the app's build included
    assert (clone / "homelog" / "web" / "dist" / "index.html").is_file()
    assert _old_node_calls(old_node) == "", "the old node on the PATH was used"
    email, password = _demo_login(first)
    database = clone / "instance" / "homelog.sqlite3"
    counts = _row_counts(database)
    assert counts["user_account"] > 0, counts

    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["make", "run", f"PORT={port}"], cwd=clone, env=_clean_env(old_node),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        document = _wait_for_openapi(base, server, log)
        assert "paths" in document
        status, session = _request(f"{base}/api/v1/session", {"email": email, "password": password})
        assert status == 201, session
        assert session.get("csrf_token"), session
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:  # the built app
            assert b'<div id="app">' in response.read()
    finally:
        _stop(server)

    again = _make(clone, old_node, "setup", timeout=60)
    assert "pip install" not in again, "set-up again should reuse the installed venv"
    assert "npm ci" not in again and "vite build" not in again, "the app is built already"
    assert _row_counts(database) == counts
    assert _old_node_calls(old_node) == "", "the old node on the PATH was used"
