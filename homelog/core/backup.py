"""Backup and restore: the database and the media, as one consistent copy.

A backup is a directory holding the database (SQLite's online backup of one snapshot, or
PostgreSQL's `pg_dump` of one snapshot), the media files, and `manifest.json`: the
database kind, the schema revision, each table's row count in that snapshot and each
media file's size and SHA-256. The files are copied after the snapshot is taken: photos
are written once and never changed, so every file a row names is there; a file written
during the copy is kept as an extra, never missing.

The audit chain's head in the snapshot is written beside it as a checkpoint
(`audit-checkpoint.jsonl`), a copy kept apart from the database for `audit verify`.

A restore needs an empty database and an empty media directory of the same kind; it
checks every file against the manifest before anything is written, and every table's
row count after. `flask --app homelog audit verify` then proves the audit trail whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url

from homelog.core.time import utcnow

FORMAT = 1
MANIFEST = "manifest.json"
AUDIT_CHECKPOINT = "audit-checkpoint.jsonl"
_DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead safely; the message says why."""


@dataclass(frozen=True)
class BackupReport:
    database: str
    tables: dict[str, int]
    files: int
    bytes: int


def backup(engine: Engine, media_dir: Path, destination: Path) -> BackupReport:
    """Write a consistent backup of the database and the media to `destination` (a new or
    empty directory)."""
    _require_empty_directory(destination, "The backup directory")
    destination.mkdir(parents=True, exist_ok=True)
    kind = engine.dialect.name
    if kind == "sqlite":
        facts = _backup_sqlite(engine, destination / _DATABASE_FILES[kind])
    elif kind == "postgresql":
        facts = _backup_postgresql(engine, destination / _DATABASE_FILES[kind])
    else:
        raise BackupError(f"Backing up a {kind} database is not supported.")
    files = _copy_media(media_dir, destination / "media")
    now = utcnow().isoformat()
    manifest = {"format": FORMAT, "created_at": now, "database": kind, **facts, "media": files}
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    _write_audit_checkpoint(destination, facts["audit_head"], now)
    tables = facts["tables"]
    return BackupReport(kind, tables, len(files), sum(f["bytes"] for f in files.values()))


def _write_audit_checkpoint(destination: Path, head: dict[str, Any] | None, at: str) -> None:
    """The audit chain's head in the snapshot, as a checkpoint `audit verify --checkpoints`
    reads: a copy of the head kept apart from the database."""
    if head is not None:
        line = {"entry_id": head["id"], "entry_hash": head["entry_hash"], "at": at}
        (destination / AUDIT_CHECKPOINT).write_text(json.dumps(line) + "\n")


def restore(engine: Engine, media_dir: Path, source: Path) -> BackupReport:
    """Bring a backup back into an empty database and media directory, checking every file
    before and every table's row count after."""
    manifest = _read_manifest(source)
    kind = engine.dialect.name
    if manifest["database"] != kind:
        raise BackupError(f"The backup is of a {manifest['database']} database; this "
                          f"Homelog uses {kind}. Restore it into a {manifest['database']} one.")
    _require_empty_database(engine)
    if any(_files(media_dir)):
        raise BackupError(f"The media directory {media_dir} already holds files; give a new "
                          "or empty one, so that nothing in it is overwritten.")
    _check_media(source / "media", manifest["media"])
    dump = source / _DATABASE_FILES[kind]
    if kind == "sqlite":
        _restore_sqlite(engine, dump)
    else:
        _restore_postgresql(engine, dump)
    _copy_media(source / "media", media_dir)
    with engine.connect() as connection:
        tables = _row_counts(connection)
    if tables != manifest["tables"]:
        differ = sorted(name for name in set(tables) | set(manifest["tables"])
                        if tables.get(name) != manifest["tables"].get(name))
        raise BackupError(f"The restored rows differ from the backup's in: {', '.join(differ)}.")
    files = manifest["media"]
    return BackupReport(kind, tables, len(files), sum(f["bytes"] for f in files.values()))


# --- the database ----------------------------------------------------------------------------

def _row_counts(connection: Connection) -> dict[str, int]:
    names = sorted(inspect(connection).get_table_names())
    return {name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in names}


def _facts(connection: Connection) -> dict[str, Any]:
    """What the manifest says of a snapshot: row counts, schema revision, audit head."""
    tables = _row_counts(connection)
    head = None
    if "audit_entry" in tables:
        row = connection.execute(text(
            "SELECT id, entry_hash FROM audit_entry ORDER BY id DESC LIMIT 1")).first()
        head = None if row is None else {"id": row.id, "entry_hash": row.entry_hash}
    return {"tables": tables, "revision": _revision(connection), "audit_head": head}


def _revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _sqlite_path(engine: Engine) -> Path:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _backup_sqlite(engine: Engine, target: Path) -> dict[str, Any]:
    # The online backup API copies one consistent snapshot while the app goes on working.
    with contextlib.closing(sqlite3.connect(_sqlite_path(engine))) as live, \
            contextlib.closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
    counted = _sqlite_engine(target)
    try:
        with counted.connect() as connection:
            return _facts(connection)
    finally:
        counted.dispose()


def _sqlite_engine(path: Path) -> Engine:
    from sqlalchemy import create_engine

    return create_engine(f"sqlite:///{path}")


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    engine.dispose()  # no pooled connection may hold the old (empty) file
    with contextlib.closing(sqlite3.connect(dump)) as copy, \
            contextlib.closing(sqlite3.connect(_sqlite_path(engine))) as live:
        copy.backup(live)


def _libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client programs).")
    result = subprocess.run([program, *command[1:]], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _backup_postgresql(engine: Engine, target: Path) -> dict[str, Any]:
    # The rows are counted in the very snapshot pg_dump copies: a repeatable-read
    # transaction exports its snapshot and stays open while pg_dump reads it.
    with engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = _facts(connection)
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                  "--no-privileges", f"--file={target}", f"--dbname={_libpq_url(engine)}"])
    return facts


def _restore_postgresql(engine: Engine, dump: Path) -> None:
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--dbname={_libpq_url(engine)}", str(dump)])


def _require_empty_database(engine: Engine) -> None:
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        raise BackupError(
            f"The database already holds tables ({', '.join(sorted(tables)[:5])}"
            f"{', ...' if len(tables) > 5 else ''}). Restore into a new, empty database, "
            "so that nothing in it is overwritten.")


# --- the media -------------------------------------------------------------------------------

def _files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(path for path in root.rglob("*") if path.is_file())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_media(source: Path, target: Path) -> dict[str, dict[str, Any]]:
    copied: dict[str, dict[str, Any]] = {}
    for path in _files(source):
        relative = path.relative_to(source)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        copied[relative.as_posix()] = {"bytes": destination.stat().st_size,
                                       "sha256": _sha256(destination)}
    return copied


def _check_media(root: Path, expected: dict[str, dict[str, Any]]) -> None:
    found = {path.relative_to(root).as_posix(): path for path in _files(root)}
    missing = sorted(set(expected) - set(found))
    if missing:
        raise BackupError(f"The backup lacks {len(missing)} media file(s), e.g. {missing[0]}.")
    for name, facts in expected.items():
        if _sha256(found[name]) != facts["sha256"]:
            raise BackupError(f"The media file {name} differs from when it was backed up.")


def _require_empty_directory(path: Path, what: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{what} {path} is not empty; give a new or empty one.")


def _read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{source} is not a Homelog backup (no {MANIFEST}).") from error
    except json.JSONDecodeError as error:
        raise BackupError(f"{source / MANIFEST} is damaged: {error}.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"The backup's format ({manifest.get('format')}) is not one this "
                          f"Homelog reads ({FORMAT}).")
    return manifest
