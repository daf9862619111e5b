"""A throwaway PostgreSQL server from Debian's packages, for tests and benchmarks.

`initdb` refuses to run as root, so as root the cluster is created and run as the
`postgres` system user (which Debian's package creates). The server listens on
loopback only, on a free port, with trust authentication, and is deleted on stop.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        raise RuntimeError(
            "PostgreSQL server binaries not found; install Debian's 'postgresql' package "
            "(make test does this when run as root)."
        )
    return Path(candidates[0]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    if os.geteuid() != 0:
        return [], None, None
    entry = pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"], entry.pw_uid, entry.pw_gid


@dataclass
class PostgresServer:
    directory: Path
    port: int
    prefix: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str, owner: str | None = None) -> str:
        """Create an empty database (owned by `owner`, if given) and return its URL, which
        connects as the owner (else as the superuser)."""
        subprocess.run(
            [*self.prefix, str(_bindir() / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", *(["-O", owner] if owner else []), name],
            check=True, capture_output=True,
        )
        return f"postgresql+psycopg://{owner or 'postgres'}@127.0.0.1:{self.port}/{name}"

    def ensure_role(self, role: str) -> None:
        """A login role that is no superuser and owns nothing (made once per server)."""
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                        (role,)).fetchone()
            if not exists:
                connection.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB '
                                   "NOCREATEROLE")


    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, str(_bindir() / "pg_ctl"), "-D", str(self.directory / "data"),
             "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres(max_connections: int = 100) -> PostgresServer:
    """Start a new, empty PostgreSQL cluster on a free loopback port."""
    prefix, uid, gid = _as_server_user()
    directory = Path(tempfile.mkdtemp(prefix="homelog-pg-"))
    if uid is not None:
        os.chown(directory, uid, gid)  # type: ignore[arg-type]
    data = directory / "data"
    bindir = _bindir()
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
         "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True, capture_output=True,
    )
    port = _free_port()
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -k {directory} "
               f"-c max_connections={max_connections} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
         "-l", str(directory / "server.log"), "-w", "-t", "60", "start"],
        check=True, capture_output=True,
    )
    server = PostgresServer(directory, port, prefix)
    _wait_ready(port)
    return server


def _wait_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start on port {port}")


def as_role(url: str, role: str) -> str:
    """The same database's URL, connecting as `role`."""
    return str(make_url(url).set(username=role).render_as_string(hide_password=False))
