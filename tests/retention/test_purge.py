"""Retention on both databases: what is past its period goes by the one audited path, a
family under legal hold keeps everything, orphaned photo files are swept, and the audit
chain still verifies. Each test has a database of its own (a purge there would empty the
session's), and moves "now" forward rather than making old records."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from homelog.accounts.models import Profession, Role, User
from homelog.audit.models import AuditEntry
from homelog.audit.verify import verify_chain
from homelog.engine.parameters import change
from homelog.extensions import db
from homelog.photos.models import Photo, PhotoFile
from homelog.photos.storage import photo_store
from homelog.retention.services import purge, sweep_orphan_files
from homelog.visits.models import Event, Visit
from tests.factories import Factory, FamilyRef, UserRef
from tests.photos.pictures import phone_jpeg
from tests.photos.uploads import photo
from tests.support import clock
from tests.support.api_client import ApiClient
from tests.support.apps import dispose, new_app

YEAR = dt.timedelta(days=365.25)


@dataclass
class Partnership:
    app: Flask
    author: UserRef
    kept: FamilyRef      # under legal hold
    purged: FamilyRef
    clients: dict[str, ApiClient]
    factory: Factory


@pytest.fixture
def partnership(app: Flask, request: pytest.FixtureRequest,
                tmp_path: Path) -> Iterator[Partnership]:
    apart = new_app(app, request, tmp_path)
    factory = Factory(apart)
    author = factory.user()
    kept, purged = (factory.family(members=(author,)) for _ in range(2))
    clients = {"author": ApiClient(apart), "lead": ApiClient(apart)}
    assert clients["author"].sign_in(author.email).status_code == 201
    assert clients["lead"].sign_in(kept.lead.email).status_code == 201
    yield Partnership(apart, author, kept, purged, clients, factory)
    dispose(apart)


def _record_everything(world: Partnership, family: FamilyRef) -> int:
    """A visit with a photo, an amended visit and an event; returns the photographed visit."""
    factory, author = world.factory, world.author
    visit_id = factory.visit(family.id, author.id)
    photo(world.clients["author"], visit_id, phone_jpeg())
    earlier = factory.visit(family.id, author.id, clock.now() - dt.timedelta(days=10))
    factory.amendment(earlier, author.id, "Wrong kitchen score", scores={"kitchen": 3})
    factory.event(family.id, author.id, clock.days_ago(3),
                  summary="GP letter: weight gain on track.", source="")
    return visit_id


def _count(model, family: FamilyRef) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(
        model.family_id == family.id)).scalar_one()


def _orphan(app: Flask, age: dt.timedelta) -> str:
    with app.app_context():
        stored = photo_store().put(b"a file no photo refers to")
        written = (clock.now() - age).timestamp()
        path = next(Path(app.config["HOMELOG_MEDIA_DIR"]).rglob(stored.key))
        os.utime(path, (written, written))
        return stored.key


def test_records_past_their_period_go_and_a_held_family_keeps_everything(partnership):
    world = partnership
    for family in (world.kept, world.purged):
        _record_everything(world, family)
    held = world.clients["lead"].post(f"/api/v1/families/{world.kept.id}/legal-hold",
                                      json={"reason": "Care proceedings: court order 123."})
    assert held.status_code == 201, held.json
    orphans = {_orphan(world.app, dt.timedelta(days=2)), _orphan(world.app, dt.timedelta(0))}
    with world.app.app_context():
        files_kept = set(db.session.execute(select(PhotoFile.storage_key).join(Photo).where(
            Photo.family_id == world.kept.id)).scalars())
        files_purged = set(db.session.execute(select(PhotoFile.storage_key).join(Photo).where(
            Photo.family_id == world.purged.id)).scalars())

    with world.app.app_context():  # 26 years on, the defaults' 25 years have passed
        report = purge(clock.now() + 26 * YEAR)
        db.session.commit()
        assert (report.visits, report.photos, report.events) == (3, 1, 1)
        assert report.families_on_hold == 1 and report.orphan_files == 2
        assert report.audit_entries > 0
        assert [_count(model, world.purged) for model in (Visit, Photo, Event)] == [0, 0, 0]
        assert [_count(model, world.kept) for model in (Visit, Photo, Event)] == [3, 1, 1]
        assert verify_chain().intact
        # The oldest entries went as one run, up to the held family's first.
        first = db.session.execute(select(AuditEntry).order_by(AuditEntry.id).limit(1)).scalar()
        assert first.family_id == world.kept.id
        (purged_entry,) = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "retention.purge")).scalars()
        assert purged_entry.detail["visits"] == 3
        assert purged_entry.detail["audit_anchor"]["first_kept_id"] == first.id
        assert db.session.execute(text(
            "SELECT count(*) FROM retention_purge_permit")).scalar_one() == 0
        stored = set(photo_store().keys())
        db.session.rollback()
    assert files_kept <= stored and not files_purged & stored
    assert not orphans & stored

    with world.app.app_context():  # outside the purge, the guard refuses deletes as before
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text("DELETE FROM visit WHERE family_id = :id"),
                               {"id": world.kept.id})
        db.session.rollback()


def test_a_file_no_photo_refers_to_is_swept_once_a_day_old(partnership):
    world = partnership
    _record_everything(world, world.purged)
    old, new = _orphan(world.app, dt.timedelta(hours=25)), _orphan(world.app, dt.timedelta(0))
    with world.app.app_context():
        assert sweep_orphan_files(clock.now()) == 1
        db.session.commit()
        stored = set(photo_store().keys())
        photos = set(db.session.execute(select(PhotoFile.storage_key)).scalars())
        db.session.rollback()
    assert old not in stored and new in stored
    assert photos and photos <= stored


def test_an_amended_visit_goes_only_when_every_version_is_past_its_period(partnership):
    world = partnership
    factory, author = world.factory, world.author
    ten_days_ago = clock.now() - dt.timedelta(days=10)
    alone = factory.visit(world.purged.id, author.id, ten_days_ago)
    amended = factory.visit(world.purged.id, author.id, ten_days_ago)
    later = factory.amendment(amended, author.id, "The visit was on a later day",
                              visited_at=clock.now() - dt.timedelta(days=2))
    administrator = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    with world.app.app_context():
        change(db.session.get_one(User, administrator.id), {"retention_visit_years": 1},
               clock.now())
        db.session.commit()
        # A year less six days on: ten days ago is past, two days ago is not.
        report = purge(clock.now() + YEAR - dt.timedelta(days=6))
        db.session.commit()
        left = set(db.session.execute(select(Visit.id).where(
            Visit.family_id == world.purged.id)).scalars())
    assert report.visits == 1
    assert left == {amended, later}
    assert alone not in left


def test_a_dry_run_counts_and_removes_nothing(partnership):
    world = partnership
    _record_everything(world, world.purged)
    with world.app.app_context():
        before = _count(Visit, world.purged)
    with clock.frozen_at(clock.now() + 26 * YEAR):
        result = world.app.test_cli_runner().invoke(args=["retention", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would remove 3 visits (with their amendments)." in result.output
    with world.app.app_context():
        assert _count(Visit, world.purged) == before
        assert not db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "retention.purge")).first()
        db.session.rollback()
    with clock.frozen_at(clock.now() + 26 * YEAR):
        result = world.app.test_cli_runner().invoke(args=["retention", "purge"])
    assert "Removed 3 visits (with their amendments)." in result.output
    verified = world.app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output, verified.output


def test_a_legal_hold_is_placed_and_lifted_by_the_lead_with_a_reason(partnership):
    world = partnership
    url = f"/api/v1/families/{world.kept.id}/legal-hold"
    lead, author = world.clients["lead"], world.clients["author"]
    assert lead.post(url, json={"reason": "court"}).status_code == 422
    refused = author.post(url, json={"reason": "Care proceedings: court order 123."})
    assert refused.status_code == 403 and "lead social worker" in refused.json["error"]["message"]
    outsider = ApiClient(world.app)
    assert outsider.sign_in(Factory(world.app).user().email).status_code == 201
    assert outsider.get(url).status_code == 404
    assert lead.post(f"{url}/lift", json={"reason": "Proceedings over."}).status_code == 404
    assert lead.post(url, json={"reason": "Care proceedings: court order 123."}
                     ).status_code == 201
    assert lead.post(url, json={"reason": "Care proceedings: court order 123."}
                     ).status_code == 409
    lifted = lead.post(f"{url}/lift", json={"reason": "Proceedings concluded in court."})
    assert lifted.status_code == 200 and lifted.json["lift_reason"].startswith("Proceedings")
    holds = author.get(url).json
    assert holds["on_hold"] is False and len(holds["holds"]) == 1
    with world.app.app_context():
        actions = db.session.execute(select(AuditEntry.action).where(
            AuditEntry.family_id == world.kept.id,
            AuditEntry.action.like("legal_hold.%"))).scalars().all()
        db.session.rollback()
    assert sorted(actions) == ["legal_hold.lift", "legal_hold.place", "legal_hold.view"]
