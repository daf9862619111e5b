"""Backup and restore on both databases: the same rows and files come back, and the audit
trail verifies on the restored copy. Through the real commands, on real databases."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect, text

from homelog.extensions import db
from tests.factories import Factory
from tests.photos.pictures import phone_jpeg
from tests.photos.uploads import photo
from tests.support.apps import new_app


def _some_records(app: Flask) -> None:
    """A family with visits, an amendment and a photo: every kind of record, audited."""
    factory = Factory(app)
    author = factory.user()
    family = factory.family(members=(author,))
    visit_id = factory.visit(family.id, author.id, notes="Kitchen clear; baby asleep.")
    photo(factory.signed_in(author), visit_id, phone_jpeg())
    factory.amendment(visit_id, author.id, "Typed the wrong room.",
                      notes="Kitchen clear; baby asleep in her cot.")


def _target(app: Flask, request: pytest.FixtureRequest, tmp_path: Path) -> Flask:
    """A second Homelog on a new, empty database of the same kind and an empty media dir."""
    return new_app(app, request, tmp_path, migrated=False)


def _rows(app: Flask) -> dict[str, list[tuple]]:
    with app.app_context():
        connection = db.session.connection()
        tables = sorted(inspect(connection).get_table_names())
        rows = {name: [tuple(row) for row in connection.execute(
                    text(f'SELECT * FROM "{name}" ORDER BY 1'))] for name in tables}
        db.session.rollback()
        return rows


def _files(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in root.rglob("*") if path.is_file()}


def _flask(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_a_restore_brings_back_the_same_rows_and_files_and_the_audit_verifies(
        app, request, tmp_path):
    _some_records(app)
    backup = tmp_path / "backup"
    made = _flask(app, "backup", str(backup))
    assert made.exit_code == 0, made.output
    assert f"Backed up to {backup}" in made.output
    before_rows, before_files = _rows(app), _files(Path(app.config["HOMELOG_MEDIA_DIR"]))
    assert before_rows["visit"] and before_rows["photo"] and before_rows["audit_entry"]
    assert any(name.startswith("photos/") for name in before_files)

    target = _target(app, request, tmp_path)
    restored = _flask(target, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "every table's rows and every file checked" in restored.output
    assert _rows(target) == before_rows
    assert _files(Path(target.config["HOMELOG_MEDIA_DIR"])) == before_files
    verified = _flask(target, "audit", "verify", "--checkpoints",
                      str(backup / "audit-checkpoint.jsonl"))
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.output
    assert "1 checkpoint outside the database agrees" in verified.output
    with target.app_context():  # the restored copy takes new records (triggers and all)
        assert db.session.execute(text(
            "SELECT count(*) FROM visit")).scalar_one() == len(before_rows["visit"])
        db.engine.dispose()


def test_a_restore_overwrites_nothing(app, request, tmp_path):
    backup = tmp_path / "backup"
    assert _flask(app, "backup", str(backup)).exit_code == 0
    refused = app.test_cli_runner().invoke(args=["restore", str(backup)])
    assert refused.exit_code == 1
    assert "already holds tables" in refused.output and "new, empty database" in refused.output
    again = app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert again.exit_code == 1 and "is not empty" in again.output


def test_a_damaged_backup_is_refused_before_anything_is_written(app, request, tmp_path):
    _some_records(app)
    backup = tmp_path / "backup"
    assert _flask(app, "backup", str(backup)).exit_code == 0
    photo = next(path for path in (backup / "media").rglob("*") if path.is_file())
    photo.write_bytes(photo.read_bytes()[:-10] + b"0123456789")
    target = _target(app, request, tmp_path)
    refused = target.test_cli_runner().invoke(args=["restore", str(backup)])
    assert refused.exit_code == 1
    assert f"{photo.relative_to(backup / 'media').as_posix()} differs" in refused.output
    with target.app_context():
        assert inspect(db.engine).get_table_names() == []
        db.engine.dispose()
    assert _files(Path(target.config["HOMELOG_MEDIA_DIR"])) == {}
