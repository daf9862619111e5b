"""Race-safe "insert unless it is already there", in one round trip, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import Insert

from homelog.extensions import db

_statements: dict[tuple[str, str, tuple[str, ...]], Insert] = {}


def insert_unless_duplicate(
    table: Table, values: dict[str, Any], unique_columns: tuple[str, ...]
) -> int | None:
    """Insert a row and return its id, or None if a row with the same `unique_columns` exists.

    INSERT ... ON CONFLICT (...) DO NOTHING RETURNING id: the unique constraint, not a
    check beforehand, decides between two identical submissions arriving together, and
    the loser's transaction stays usable. Other constraint violations still raise.
    """
    connection = db.session.connection()  # a Core statement: no ORM layer needed
    dialect = connection.dialect.name
    key = (dialect, table.name, unique_columns)
    statement = _statements.get(key)
    if statement is None:
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        statement = (
            insert(table)
            .on_conflict_do_nothing(index_elements=list(unique_columns))
            .returning(table.c.id)
        )
        _statements[key] = statement
    return connection.execute(statement, values).scalar()
