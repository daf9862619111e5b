"""Declarative base with a naming convention, column types, and database-specific set-up."""

from __future__ import annotations

import datetime as dt
import hashlib
from contextvars import ContextVar
from typing import Any

from flask import current_app
from sqlalchemy import JSON, DateTime, Dialect, MetaData, Text, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from homelog.core.json import RawJSON

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant stored as naive UTC on every database and returned timezone-aware.

    SQLite has no time zones; storing UTC everywhere keeps ordering and comparison
    identical on both databases.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class ISOTimeText(TypeDecorator[str]):
    """Reads a UTCDateTime column straight into the ISO 8601 text a response shows.

    For pages that only show times: the same text as encoding the aware datetime would
    give, without making the aware datetime first.
    """

    impl = DateTime
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else value.isoformat() + "+00:00"


class JSONText(TypeDecorator[RawJSON]):
    """Reads a JSON column as its text (SQL: CAST AS TEXT), passed to responses undecoded."""

    impl = Text
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> RawJSON | None:
        return None if value is None else RawJSON(value)


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _hmac_hex(inner_pad: bytes, outer_pad: bytes, text: str) -> str:
    """HMAC-SHA256 from the key's two padded forms (RFC 2104), as SQL on PostgreSQL does."""
    inner = hashlib.sha256(inner_pad + text.encode()).digest()
    return hashlib.sha256(outer_pad + inner).hexdigest()


def configure_sqlite(engine: Engine, write_intent: ContextVar[bool]) -> None:
    """WAL, foreign keys, a busy timeout, and write transactions that take the lock up front.

    pysqlite's own transaction handling is switched off so that we choose how each
    transaction begins: BEGIN IMMEDIATE when it will write (see core/transactions.py),
    so a writer can never fail with "database is locked" halfway through; a plain
    BEGIN for reads, which then run side by side with each other and with a writer.
    A request that waits longer than the busy timeout (HOMELOG_SQLITE_BUSY_TIMEOUT_MS,
    read from the app being set up) for the write lock is answered 503 (core/errors.py).
    """
    busy_timeout_ms = int(current_app.config.get("HOMELOG_SQLITE_BUSY_TIMEOUT_MS", 15000))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # REPLACE (and INSERT OR REPLACE) deletes the row it replaces; only with recursive
        # triggers on does that delete meet the append-only tables' DELETE guard.
        cursor.execute("PRAGMA recursive_triggers=ON")
        cursor.close()
        # PostgreSQL has sha256(); SQL that chains hashes (the audit trail) needs it here too.
        dbapi_connection.create_function("homelog_sha256_hex", 1, _sha256_hex, deterministic=True)
        dbapi_connection.create_function("homelog_hmac_hex", 3, _hmac_hex, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = write_intent.get()
        connection.info["homelog_writing"] = writing
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    _refuse_writes_in_read_transactions(engine)


def _refuse_writes_in_read_transactions(engine: Engine) -> None:
    """A statement that writes, sent while a request only reads, fails loudly at once.

    SQLite: a read transaction that starts writing can fail with "database is locked" the
    moment another request writes. PostgreSQL: a write in autocommit would commit by
    itself, even if the request then fails. So writes in a read request go through
    begin_writes() (or at_commit, at the boundary). The check is the same on both
    databases, so a mistake fails the same way on each; PostgreSQL also refuses such
    writes itself (configure_postgresql), whatever their form.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not connection.info.get("homelog_writing", True) and statement.lstrip()[:6].upper() in {
            "INSERT", "UPDATE", "DELETE",
        }:
            raise RuntimeError("write in a read transaction: call begin_writes() first")


def configure_postgresql(engine: Engine, write_intent: ContextVar[bool]) -> None:
    """Reads that are not part of a write run in autocommit, and read only.

    Under READ COMMITTED, PostgreSQL's default, every statement sees its own snapshot
    whether or not it runs in a transaction, so wrapping a request's reads in BEGIN and
    COMMIT buys no consistency and costs two round trips. A request starts reading this
    way when it does not declare that it writes (see core/transactions.py);
    begin_writes() ends autocommit on the connection, so everything written from then
    on commits together at the request boundary.

    While it only reads, the connection's transactions are read only
    (default_transaction_read_only), so PostgreSQL itself refuses a write, in whatever
    form, instead of committing it by itself in autocommit: the same rule SQLite's read
    transactions keep. The setting belongs to the connection, not to one transaction, so
    it is changed only when a borrower needs the other one (one round trip then).
    """

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = write_intent.get()
        connection.info["homelog_writing"] = writing
        dbapi_connection = connection.connection.dbapi_connection
        if not writing:
            dbapi_connection.autocommit = True
        _set_read_only(dbapi_connection, connection.info, read_only=not writing)

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        # The pool's next borrower starts with a transaction unless it asks otherwise.
        if dbapi_connection is not None and not dbapi_connection.closed:
            dbapi_connection.autocommit = False

    _refuse_writes_in_read_transactions(engine)


def _set_read_only(dbapi_connection: Any, info: dict[str, Any], *, read_only: bool) -> None:
    """Make this PostgreSQL connection's transactions read only, or writable again.

    `info` is the pooled connection's own record, which remembers the setting for as long
    as the connection lives; a new connection (nothing recorded) is set either way.
    """
    if info.get("homelog_read_only") is read_only:
        return
    autocommit = dbapi_connection.autocommit
    # Outside any transaction, so the setting is the connection's and no rollback undoes it.
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = " + ("on" if read_only else "off"))
    dbapi_connection.autocommit = autocommit
    info["homelog_read_only"] = read_only


def allow_writes(connection: Any) -> None:
    """This PostgreSQL connection, reading in autocommit, may now write; each statement
    still commits by itself (the request boundary's one-statement bookkeeping)."""
    _set_read_only(connection.connection.dbapi_connection, connection.info, read_only=False)
    connection.info["homelog_writing"] = True


def end_autocommit(connection: Any) -> None:
    """From the next statement on, this PostgreSQL connection writes, in a transaction."""
    allow_writes(connection)
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection.autocommit:
        dbapi_connection.autocommit = False
