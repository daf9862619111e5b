import pytest
from sqlalchemy import text

from homelog.extensions import db


def test_append_only_guards_are_installed(app, db_dialect):
    tables = {"visit", "event", "audit_entry", "agreement_revision", "rubric_version"}
    query = (
        "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
        "AND name LIKE '%append_only%'"
        if db_dialect == "sqlite" else
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname LIKE '%append_only'"
    )
    with app.app_context():
        guarded = set(db.session.execute(text(query)).scalars())
        db.session.rollback()
    assert tables <= guarded


def test_sqlite_is_set_up_for_concurrent_use(app, db_dialect):
    if db_dialect != "sqlite":
        pytest.skip("SQLite settings; PostgreSQL needs none of them")
    with app.app_context():
        connection = db.session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1
        # Every transaction takes the write lock up front (BEGIN IMMEDIATE), so a reader
        # that goes on to write can never fail halfway with "database is locked".
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        assert connection.connection.dbapi_connection.in_transaction
        db.session.rollback()


def test_sqlite_reads_share_the_database_until_the_request_starts_writing(app, db_dialect):
    """A read runs beside writers; begin_writes then takes the write lock for the rest."""
    if db_dialect != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL writers do not block readers")
    import sqlite3

    from homelog.core.transactions import begin_writes, write_intent

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")

    def another_writer_gets_the_lock() -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            return False
        finally:
            other.close()

    with app.test_request_context("/api/v1/families", method="GET"):
        write_intent.set(False)  # what a GET request declares
        try:
            db.session.execute(text("SELECT count(*) FROM agency")).scalar()  # a read...
            assert another_writer_gets_the_lock()  # ...takes no write lock
            with pytest.raises(RuntimeError, match="write in a read transaction"):
                db.session.execute(text("DELETE FROM agency WHERE id = -1"))
            begin_writes()
            assert not another_writer_gets_the_lock()
            db.session.execute(text("DELETE FROM agency WHERE id = -1"))  # now allowed
            db.session.commit()
            assert another_writer_gets_the_lock()
        finally:
            db.session.rollback()
            write_intent.set(True)


def test_postgresql_reads_run_in_autocommit_until_the_request_starts_writing(app, db_dialect):
    """No BEGIN/COMMIT round trips for reads; begin_writes makes the rest one transaction."""
    if db_dialect != "postgresql":
        pytest.skip("PostgreSQL's autocommit reads; SQLite reads in one snapshot")
    from homelog.core.transactions import begin_writes, write_intent
    from tests.factories import unique

    def statement_times() -> tuple[object, object]:
        # now() is the start of the transaction: equal inside one, different outside.
        first = db.session.execute(text("SELECT clock_timestamp(), now()")).one()
        second = db.session.execute(text("SELECT clock_timestamp(), now()")).one()
        assert first[0] < second[0]
        return first[1], second[1]

    name = unique("Autocommit agency")
    with app.test_request_context("/api/v1/families", method="GET"):
        write_intent.set(False)  # what a GET request declares
        try:
            first, second = statement_times()
            assert first != second  # each read ran by itself
            begin_writes()
            first, second = statement_times()
            assert first == second  # one transaction from here on
            db.session.execute(text("INSERT INTO agency (name, kind, created_at) "
                                    "VALUES (:n, 'police', now())"), {"n": name})
            db.session.rollback()  # a failed request: what it wrote after begin_writes goes
        finally:
            db.session.rollback()
            write_intent.set(True)
    with app.app_context():
        # The pooled connection went back with autocommit off, and nothing was kept.
        first, second = statement_times()
        assert first == second
        assert db.session.execute(text("SELECT count(*) FROM agency WHERE name = :n"),
                                  {"n": name}).scalar() == 0
        db.session.rollback()


def test_postgresql_refuses_writes_in_a_read_request(app, db_dialect):
    """A write sent while a GET only reads fails, instead of committing by itself in
    autocommit; begin_writes() and the boundary's queued writes may still write."""
    if db_dialect != "postgresql":
        pytest.skip("SQLite's read transactions: see the test above")
    from uuid import uuid4

    from flask import Response
    from sqlalchemy.exc import InternalError

    from homelog.core.transactions import at_commit, begin_writes, write_intent

    refused, queued, begun = (f"Read-only agency {uuid4().hex}" for _ in range(3))
    insert = text("INSERT INTO agency (name, kind, created_at) VALUES (:n, 'police', now())")
    # A write the statement check cannot see (it starts WITH): PostgreSQL refuses it itself.
    hidden = text("WITH made AS (INSERT INTO agency (name, kind, created_at) "
                  "VALUES (:n, 'police', now()) RETURNING id) SELECT id FROM made")

    def count(name: str) -> int:
        return db.session.execute(text("SELECT count(*) FROM agency WHERE name = :n"),
                                  {"n": name}).scalar_one()

    with app.test_request_context("/api/v1/families", method="GET"):
        write_intent.set(False)  # what a GET request declares
        try:
            with pytest.raises(RuntimeError, match="write in a read transaction"):
                db.session.execute(insert, {"n": refused})
            db.session.rollback()
            with pytest.raises(InternalError, match="read-only transaction"):
                db.session.execute(hidden, {"n": refused})
            db.session.rollback()
            assert count(refused) == 0
            at_commit(lambda: db.session.execute(insert, {"n": queued}))
            app.process_response(Response())  # the boundary: queued writes, then commit
        finally:
            db.session.rollback()
            write_intent.set(True)
    with app.test_request_context("/api/v1/families", method="GET"):
        write_intent.set(False)
        try:
            assert count(begun) == 0  # a read first, in autocommit and read only
            begin_writes()
            db.session.execute(hidden, {"n": begun})
            db.session.commit()
        finally:
            db.session.rollback()
            write_intent.set(True)
    with app.app_context():
        assert (count(refused), count(queued), count(begun)) == (0, 1, 1)
        # The connection went back to the pool writable: work outside requests writes.
        db.session.execute(text("DELETE FROM agency WHERE name IN (:q, :b)"),
                           {"q": queued, "b": begun})
        db.session.commit()
        assert count(queued) + count(begun) == 0
        db.session.rollback()


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(text(
                "INSERT INTO child (family_id, initials, date_of_birth) "
                "VALUES (999999999, 'ZZ', '2025-01-01')"))
            db.session.flush()
        db.session.rollback()


def test_cli_creates_agencies_and_users(app):
    from tests.factories import unique
    from tests.support.api_client import PASSWORD, ApiClient

    runner = app.test_cli_runner()
    agency = unique("CLI agency")
    made = runner.invoke(args=["agencies", "create", agency, "--kind", "police"])
    assert made.exit_code == 0, made.output
    email = f"{unique('cli')}@test.homelog.test"
    user = runner.invoke(args=["users", "create", "--email", email, "--name", "CLI officer",
                               "--agency", agency, "--role", "practitioner",
                               "--profession", "police_officer", "--password", PASSWORD])
    assert user.exit_code == 0, user.output
    assert ApiClient(app).sign_in(email).status_code == 201
    duplicate = runner.invoke(args=["agencies", "create", agency])
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output
    weak = runner.invoke(args=["users", "create", "--email", f"x{email}", "--name", "X",
                               "--agency", agency, "--role", "practitioner",
                               "--profession", "police_officer", "--password", "password"])
    assert weak.exit_code != 0
    assert "password" in weak.output
    disabled = runner.invoke(args=["users", "disable", email])
    assert disabled.exit_code == 0
    assert ApiClient(app).sign_in(email).status_code == 401


def test_on_postgresql_the_app_owns_nothing_and_cannot_switch_the_guards_off(app, db_dialect,
                                                                             database_url):
    if db_dialect != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DatabaseError

    with app.app_context():
        connection = db.session.connection()
        me = connection.execute(text("SELECT current_user")).scalar_one()
        assert connection.execute(text(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles "
            "WHERE rolname = current_user")).scalar_one() is False
        owned = connection.execute(text(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
        )).scalar_one()
        assert owned == 0, me
        for statement in ("ALTER TABLE visit DISABLE TRIGGER visit_append_only",
                          "DROP TABLE audit_entry",
                          "INSERT INTO retention_purge_permit (granted_at) VALUES (now())",
                          "TRUNCATE event",
                          "CREATE TABLE intruder (id integer)"):
            with pytest.raises(DatabaseError, match=r"must be owner|permission denied"):
                db.session.execute(text(statement))
            db.session.rollback()
        # What it needs it has: adding rows, changing the tables that change, reading them.
        added = db.session.execute(text(
            "INSERT INTO agency (name, kind, created_at) VALUES (:name, 'police', now()) "
            "RETURNING id"), {"name": "Role check agency"}).scalar_one()
        db.session.execute(text("UPDATE agency SET name = 'Renamed agency' WHERE id = :id"),
                           {"id": added})
        assert db.session.execute(text("SELECT name FROM agency WHERE id = :id"),
                                  {"id": added}).scalar_one() == "Renamed agency"
        db.session.rollback()
    owner = create_engine(database_url)
    with owner.connect() as connection:
        assert connection.execute(text("SELECT current_user")).scalar_one() != me
    owner.dispose()
