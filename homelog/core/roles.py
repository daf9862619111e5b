"""PostgreSQL: the application runs as a role that owns nothing.

Migrations run as the role that owns the tables; the web server and the scheduler connect
as another (HOMELOG_DATABASE_APP_ROLE), which may read and add rows, change the tables
that change, and never UPDATE, DELETE or TRUNCATE the append-only ones. Owning nothing,
it can neither disable their triggers nor alter or drop a table. Every `db upgrade` ends
by granting it exactly this, so new tables are covered as they come (see
migrations/env.py). Removing records past their retention period is done with the
owner's connection (`retention purge` run with the migrations' database URL).
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

APPEND_ONLY = ("visit", "event", "audit_entry", "agreement_revision", "rubric_version",
               "audit_anchor")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def grant_application_role(connection: Connection, role: str) -> None:
    """Give the application's role what it needs on every table, and no more."""
    if not _NAME.fullmatch(role):
        raise ValueError(f"not a plain role name: {role!r}")
    database = connection.execute(text("SELECT current_database()")).scalar_one()
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY)} FROM {role}",
        # Only the purge, run as the owner, writes a permit; the schema is the owner's.
        f"REVOKE INSERT, UPDATE, DELETE ON retention_purge_permit, alembic_version "
        f"FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
    ]
    for statement in statements:
        connection.execute(text(statement))
