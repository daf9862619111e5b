from sqlalchemy import text

from homelog.extensions import db


def test_sqlite_is_set_up_for_concurrent_use(app, db_dialect):
    if db_dialect != "sqlite":
        assert db_dialect == "postgresql"
        return
    with app.app_context():
        connection = db.session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        # Every transaction takes the write lock up front (BEGIN IMMEDIATE), so a reader
        # that goes on to write can never fail halfway with "database is locked".
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        assert connection.connection.dbapi_connection.in_transaction
        db.session.rollback()


def test_foreign_keys_are_enforced(app):
    import pytest
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
