"""`flask demo load` adds drawn photos once, through the photo service, stripped like real ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from homelog import create_app
from homelog.extensions import db
from homelog.families.models import Family
from homelog.photos.models import Photo
from homelog.photos.services import delete_family_photos, photo_content
from homelog.visits.models import Visit
from tests.photos.pictures import TELLTALES


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("demo-photos")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("HOMELOG_ENV", "development")
        monkeypatch.setenv("HOMELOG_SECRET_KEY", "demo-photo-tests-secret-not-for-production")
        monkeypatch.setenv("HOMELOG_DATABASE_URL", f"sqlite:///{folder / 'demo.sqlite3'}")
        app = create_app({"TESTING": True, "HOMELOG_MEDIA_DIR": str(folder / "media")})
    with app.app_context():
        upgrade()
    first = app.test_cli_runner().invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert " photos." in first.output
    yield app
    with app.app_context():
        db.engine.dispose()


def _photo_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Photo)) or 0


def test_each_demo_family_has_photos_of_the_kitchen_and_the_cot(demo_app: Flask) -> None:
    with demo_app.app_context():
        families = db.session.execute(select(Family)).scalars().all()
        assert len(families) == 3
        for family in families:
            domains = set(db.session.execute(
                select(Photo.domain_key).where(Photo.family_id == family.id)).scalars())
            assert domains == {"kitchen", "sleep"}, family.reference


def test_demo_photos_belong_to_their_visits_and_are_clean(demo_app: Flask) -> None:
    with demo_app.app_context():
        for photo in db.session.execute(select(Photo)).scalars():
            visit = db.session.get_one(Visit, photo.visit_id)
            assert photo.uploaded_by_id == visit.author_id
            assert dt.timedelta(0) < photo.uploaded_at - visit.visited_at < dt.timedelta(hours=72)
            assert photo.parent_agreed
            for size in ("display", "thumb"):
                data = photo_content(photo, size).data
                assert data[8:12] == b"WEBP"
                for telltale in (*TELLTALES, b"Demo phone"):
                    assert telltale not in data


def test_loading_again_adds_no_photo_and_restores_missing_ones(demo_app: Flask) -> None:
    count = _photo_count(demo_app)
    assert count >= 12
    again = demo_app.test_cli_runner().invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    assert "already loaded." in again.output and "Added" not in again.output
    assert _photo_count(demo_app) == count
    with demo_app.app_context():
        family = db.session.execute(
            select(Family).where(Family.reference == "DEMO-002")).scalar_one()
        removed = delete_family_photos(family.id)
        db.session.commit()
    restored = demo_app.test_cli_runner().invoke(args=["demo", "load"])
    assert f"Added {removed} photos." in restored.output
    assert _photo_count(demo_app) == count
    media = Path(demo_app.config["HOMELOG_MEDIA_DIR"]) / "photos"
    assert len([path for path in media.rglob("*") if path.is_file()]) == 2 * count
