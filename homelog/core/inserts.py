"""Race-safe "insert unless it is already there", in one statement, on SQLite and PostgreSQL.

The one way Homelog inserts what may already exist (a retried submission, an inbox entry,
an engine row, a job's lock row): INSERT ... ON CONFLICT (the unique columns) DO NOTHING.
The unique constraint, not a check beforehand, decides between two writers arriving
together, and the loser's transaction stays usable. Other constraint violations still raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import Insert

from homelog.extensions import db

_statements: dict[tuple[str, str, tuple[str, ...], bool], Insert] = {}


def _statement(dialect: str, table: Table, unique_columns: tuple[str, ...],
               returning: bool) -> Insert:
    key = (dialect, table.name, unique_columns, returning)
    statement = _statements.get(key)
    if statement is None:  # built once per table, not once per row
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        statement = insert(table).on_conflict_do_nothing(index_elements=list(unique_columns))
        if returning:
            statement = statement.returning(table.c.id)
        _statements[key] = statement
    return statement


def insert_unless_duplicate(
    table: Table, values: dict[str, Any], unique_columns: tuple[str, ...]
) -> int | None:
    """Insert a row and return its id, or None if a row with the same `unique_columns` exists."""
    connection = db.session.connection()  # a Core statement: no ORM layer needed
    statement = _statement(connection.dialect.name, table, unique_columns, returning=True)
    return connection.execute(statement, values).scalar()


def insert_missing(
    table: Table, rows: Sequence[dict[str, Any]], unique_columns: tuple[str, ...]
) -> None:
    """Insert the rows that are not there yet (by `unique_columns`); the others are left as
    they are. One statement for all the rows."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    # Through the session, which flushes first: rows these refer to may be pending.
    db.session.execute(_statement(dialect, table, unique_columns, returning=False), list(rows))
