"""Each test leaves the database as the migrations left it.

The app commits for real (at the request or job boundary) and the browser tests' live
server answers from another thread, so an outer transaction rolled back after each test
would not hold everything. Instead every statement sent to a test database by this process
(any engine, any thread) is watched for the tables it writes; after the test those tables
are emptied, the rows the migrations seeded are put back and the ids start again where the
migrations left them. Only written tables are touched, so a test that writes little costs
little.

The append-only guards are the migrations' triggers. Clean-up goes round them as the
database's superuser on PostgreSQL (session_replication_role = replica: no trigger fires,
no foreign key is checked) and, on SQLite, by dropping the written tables' triggers and
recreating them from their own SQL within the same transaction.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from homelog.rubric import versions as rubric_versions

# The table a statement writes: INSERT [OR ...] INTO t, REPLACE INTO t, UPDATE t, DELETE FROM t.
_WRITES = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)",
    re.IGNORECASE)
_UNTOUCHED = frozenset({"alembic_version"})  # written by the migrations alone


def _database_key(url: Any) -> tuple[str, str, int | None, str]:
    """What names one database, whoever connects to it: kind, host, port and name."""
    url = make_url(url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return (backend, "", None, str(Path(url.database or "").resolve()))
    return (backend, url.host or "", url.port, url.database or "")


@dataclass
class CleanSlate:
    """One test database's just-migrated state, and the tables written since."""

    url: str  # the owner's URL (PostgreSQL: any role on the server; clean-up uses postgres)
    tables: frozenset[str] = frozenset()
    written: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _seeds: dict[str, Any] = field(default_factory=dict)
    _sequences: list[tuple[str, int | None]] = field(default_factory=list)
    _triggers: dict[str, list[str]] = field(default_factory=dict)
    # Database functions that write (the audit trail's append), by name: a SELECT calling
    # one writes their tables.
    _writers: dict[str, frozenset[str]] = field(default_factory=dict)
    _connection: Any = None

    @property
    def postgres(self) -> bool:
        return not self.url.startswith("sqlite")

    def snapshot(self) -> None:
        """Remember what the migrations left: seeded rows, sequences, and triggers."""
        if self.postgres:
            self._snapshot_postgres()
        else:
            self._snapshot_sqlite()

    def seen(self, statement: str) -> None:
        """Note the tables a statement writes (called for every statement, from any thread)."""
        head = statement.lstrip()[:6].upper()
        if head == "SELECT":
            names = self._written_by_functions(statement)
        elif head.startswith(("PRAGMA", "SAVEPO", "RELEAS", "BEGIN", "COMMIT", "ROLLBA",
                              "SET ", "SHOW ")):
            return
        else:
            names = {name.lower() for name in _WRITES.findall(statement)} & self.tables
        if names - self.written:
            with self.lock:
                self.written |= names

    def _written_by_functions(self, statement: str) -> set[str]:
        if not self._writers:
            return set()
        lowered = statement.lower()
        return {table for function, tables in self._writers.items() if function in lowered
                for table in tables}

    def restore(self) -> set[str]:
        """Put every table written since the last restore back as the migrations left it;
        returns the tables restored."""
        with self.lock:
            written, self.written = set(self.written), set()
        if written:
            if self.postgres:
                self._restore_postgres(written)
            else:
                self._restore_sqlite(written)
        return written

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # --- SQLite ----------------------------------------------------------------------

    def _sqlite(self) -> sqlite3.Connection:
        connection = sqlite3.connect(make_url(self.url).database or "", isolation_level=None,
                                     check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=15000")
        return connection

    def _snapshot_sqlite(self) -> None:
        connection = self._sqlite()
        try:
            names = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'")]
            self.tables = frozenset(names) - _UNTOUCHED
            for name in self.tables:
                rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
                if rows:
                    self._seeds[name] = rows
            for table, sql in connection.execute(
                    "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"):
                self._triggers.setdefault(table, []).append(sql)
            if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
                                  ).fetchone():
                self._sequences = list(connection.execute(
                    "SELECT name, seq FROM sqlite_sequence"))
        finally:
            connection.close()

    def _restore_sqlite(self, written: set[str]) -> None:
        connection = self._sqlite()
        try:
            connection.execute("BEGIN IMMEDIATE")
            guarded = [table for table in written if table in self._triggers]
            for table in guarded:
                for (name,) in connection.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                        (table,)).fetchall():
                    connection.execute(f'DROP TRIGGER "{name}"')
            for table in written:
                connection.execute(f'DELETE FROM "{table}"')
                rows = self._seeds.get(table)
                if rows:
                    marks = ", ".join("?" * len(rows[0]))
                    connection.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
            if self._sequences or connection.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
                connection.execute("DELETE FROM sqlite_sequence")
                connection.executemany("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                                       self._sequences)
            for table in guarded:
                for sql in self._triggers[table]:
                    connection.execute(sql)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    # --- PostgreSQL ------------------------------------------------------------------

    def _postgres(self) -> Any:
        if self._connection is None:
            url = make_url(self.url)
            self._connection = psycopg.connect(
                host=url.host, port=url.port, dbname=url.database, user="postgres")
            with self._connection.cursor() as cursor:
                # No trigger fires and no foreign key is checked in this session: the
                # append-only guards stay on for every other connection.
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("SET lock_timeout = '20s'")
            self._connection.commit()
        return self._connection

    def _snapshot_postgres(self) -> None:
        connection = self._postgres()
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            self.tables = frozenset(row[0] for row in cursor.fetchall()) - _UNTOUCHED
            for name in self.tables:
                # As JSON, so the rows go back through the table's own column types.
                cursor.execute(f'SELECT json_agg(t)::text FROM public."{name}" t')
                rows = cursor.fetchone()[0]
                if rows:
                    self._seeds[name] = rows
            cursor.execute("SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n "
                           "ON n.oid = p.pronamespace WHERE n.nspname = 'public'")
            for name, source in cursor.fetchall():
                tables = frozenset(table.lower() for table in _WRITES.findall(source or ""))
                if tables & self.tables:
                    self._writers[name.lower() + "("] = tables & self.tables
            cursor.execute("SELECT format('%I.%I', schemaname, sequencename), last_value "
                           "FROM pg_sequences WHERE schemaname = 'public'")
            self._sequences = list(cursor.fetchall())
        connection.commit()

    def _restore_postgres(self, written: set[str]) -> None:
        connection = self._postgres()
        try:
            with connection.cursor() as cursor:
                for table in sorted(written):
                    cursor.execute(f'DELETE FROM public."{table}"')
                    if table in self._seeds:
                        cursor.execute(
                            f'INSERT INTO public."{table}" SELECT * FROM '
                            f'json_populate_recordset(NULL::public."{table}", %s::json)',
                            (self._seeds[table],))
                for name, value in self._sequences:
                    cursor.execute("SELECT setval(%s::regclass, %s, %s)",
                                   (name, value or 1, value is not None))
            connection.commit()
        except BaseException:
            connection.rollback()
            raise


# Every database under test in this process, by what names it; and each engine's slate,
# worked out once per engine.
_slates: dict[tuple[str, str, int | None, str], CleanSlate] = {}
_by_engine: weakref.WeakKeyDictionary[Engine, CleanSlate | None] = weakref.WeakKeyDictionary()
_listening = False


def _on_statement(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
    engine = connection.engine
    try:
        slate = _by_engine[engine]
    except KeyError:
        slate = _by_engine[engine] = _slates.get(_database_key(engine.url))
    if slate is not None:
        slate.seen(statement)


def watch(url: str) -> CleanSlate:
    """Start watching the (just migrated) database at `url` and remember its state."""
    global _listening
    slate = CleanSlate(url)
    slate.snapshot()
    _slates[_database_key(url)] = slate
    _by_engine.clear()  # an engine seen before may point at this database
    if not _listening:
        event.listen(Engine, "before_cursor_execute", _on_statement)
        _listening = True
    return slate


def forget(slate: CleanSlate) -> None:
    """Stop watching a database (at the end of the session that made it)."""
    _slates.pop(_database_key(slate.url), None)
    _by_engine.clear()
    slate.close()


_holds = 0


@contextmanager
def held() -> Iterator[None]:
    """While in use, nothing is restored after each test: for one expensive builder whose
    records a module's tests only read (a family with hundreds of visits). What the module
    wrote is undone when it ends."""
    global _holds
    _holds += 1
    try:
        yield
    finally:
        _holds -= 1
    if not _holds:
        restore_all()


def restore_all() -> set[str]:
    """Restore every watched database (unless held); returns the tables restored."""
    restored: set[str] = set()
    if _holds:
        return restored
    for slate in list(_slates.values()):
        restored |= slate.restore()
    return restored


def empty_folder(folder: Path, keep: Iterable[str] = ()) -> None:
    """Remove what a test left in a folder (the media folder, say), keeping the folder."""
    if not folder.is_dir():
        return
    kept = set(keep)
    for entry in folder.iterdir():
        if entry.name in kept:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


# Apps whose settings a test may change, with the settings and extensions they began with.
_apps: list[tuple[Flask, dict[str, Any], set[str]]] = []


@contextmanager
def kept_settings(app: Flask) -> Iterator[None]:
    """While in use, each test's changes to the app's settings are undone after it, with
    anything the app built from them since (the photo store, in app.extensions), and its
    media folder is emptied."""
    entry = (app, dict(app.config), set(app.extensions))
    _apps.append(entry)
    try:
        yield
    finally:
        _apps.remove(entry)


def _restore_settings() -> None:
    for app, config, extensions in _apps:
        if app.config != config:
            app.config.clear()
            app.config.update(config)
            for name in set(app.extensions) - extensions:
                del app.extensions[name]
        if not _holds:  # a held builder's photos stay with its records
            empty_folder(Path(str(config["HOMELOG_MEDIA_DIR"])))


def reset_after_test(audit_checkpoints: Path) -> None:
    """Everything a test may leave behind, put back: the watched databases, the rubric
    versions cached from them, the apps' settings and media folders, and the audit
    checkpoint file (its checkpoints name entries that are gone)."""
    if "rubric_version" in restore_all():
        # ids start again after a restore: no cached version may answer for them
        rubric_versions.forget_cached_rubrics()
    _restore_settings()
    if audit_checkpoints.exists() and audit_checkpoints.stat().st_size:
        audit_checkpoints.write_text("")
