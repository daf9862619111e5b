"""A second Homelog, on a new database of the kind the run is testing, for tests that must
not share the session's database (a purge, a restore)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from homelog import create_app

_names = itertools.count()


def new_app(app: Flask, request: pytest.FixtureRequest, folder: Path, *,
            migrated: bool = True) -> Flask:
    """A Homelog on a new, empty database of the same kind as `app`'s and an empty media
    folder under `folder`; with the migrations applied unless `migrated` is False."""
    name = f"homelog_apart_{next(_names)}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        url = f"sqlite:///{folder / f'{name}.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(name)
    apart = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                        "HOMELOG_MEDIA_DIR": str(folder / f"{name}-media")})
    if migrated:
        with apart.app_context():
            upgrade()
    return apart


def dispose(app: Flask) -> None:
    """Close the app's database connections (so its database can be dropped or reopened)."""
    from homelog.extensions import db

    with app.app_context():
        db.engine.dispose()
