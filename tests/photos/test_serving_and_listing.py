"""Serving photos and listing a family's: core group only, every view audited, safe headers."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from homelog.photos.models import PhotoFile
from tests.factories import Factory
from tests.photos.conftest import PhotoWorld, audit_count
from tests.photos.pictures import phone_jpeg, small_jpeg
from tests.photos.uploads import upload
from tests.support import clock


def _photo(world: PhotoWorld, **fields) -> int:
    response = world.upload(**fields)
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_served_with_our_content_type_nosniff_and_no_caching(photo_world: PhotoWorld) -> None:
    photo_id = _photo(photo_world, filename="evil.html", content_type="text/html")
    for size in ("", "?size=display", "?size=thumb"):
        response = photo_world.clients["colleague"].get(f"/api/v1/photos/{photo_id}{size}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/webp"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "evil" not in response.headers.get("Content-Disposition", "")


def test_only_the_core_group_sees_a_photo(photo_world: PhotoWorld) -> None:
    photo_id = _photo(photo_world)
    url = f"/api/v1/photos/{photo_id}"
    assert photo_world.clients["lead"].get(url).status_code == 200
    assert photo_world.clients["colleague"].get(url).status_code == 200
    outsider = photo_world.clients["outsider"].get(url)
    assert outsider.status_code == 404
    assert outsider.json["error"]["code"] == "not_found"
    assert photo_world.clients["outsider"].get(url + "?size=thumb").status_code == 404
    assert photo_world.clients["anonymous"].get(url).status_code == 401
    assert photo_world.clients["lead"].get("/api/v1/photos/999999999").status_code == 404


def test_each_view_leaves_an_audit_entry(photo_world: PhotoWorld) -> None:
    photo_id = _photo(photo_world)
    before = audit_count(photo_world.app, "photo.view", photo_id)
    photo_world.clients["lead"].get(f"/api/v1/photos/{photo_id}")
    photo_world.clients["colleague"].get(f"/api/v1/photos/{photo_id}?size=thumb")
    photo_world.clients["outsider"].get(f"/api/v1/photos/{photo_id}")  # refused: not a view
    assert audit_count(photo_world.app, "photo.view", photo_id) == before + 2
    with photo_world.app.app_context():
        latest = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "photo.view",
                                     AuditEntry.target_id == photo_id)
            .order_by(AuditEntry.id.desc())).scalars().first()
        assert latest.target_type == "photo"
        assert latest.family_id == photo_world.family.id
        assert latest.detail == {"size": "thumb"}
        assert latest.basis == "core_group_member"


def test_an_unknown_size_is_named(photo_world: PhotoWorld) -> None:
    photo_id = _photo(photo_world)
    response = photo_world.clients["lead"].get(f"/api/v1/photos/{photo_id}?size=huge")
    assert response.status_code == 422
    assert "size" in response.json["error"]["fields"]


def test_a_file_altered_on_disk_is_not_served(photo_world: PhotoWorld) -> None:
    photo_id = _photo(photo_world)
    with photo_world.app.app_context():
        key = db.session.execute(select(PhotoFile.storage_key).where(
            PhotoFile.photo_id == photo_id, PhotoFile.rendition == "thumb")).scalar_one()
        root = Path(photo_world.app.config["HOMELOG_MEDIA_DIR"]) / "photos"
    path = root / key[:2] / key
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    response = photo_world.clients["lead"].get(f"/api/v1/photos/{photo_id}?size=thumb")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "photo_damaged"
    path.unlink()
    missing = photo_world.clients["lead"].get(f"/api/v1/photos/{photo_id}?size=thumb")
    assert missing.status_code == 404


def test_files_are_stored_under_random_names_outside_static(photo_world: PhotoWorld) -> None:
    photo_id = _photo(photo_world, filename="kitchen-1-secret-street.jpg")
    with photo_world.app.app_context():
        files = db.session.execute(
            select(PhotoFile).where(PhotoFile.photo_id == photo_id)).scalars().all()
        root = Path(photo_world.app.config["HOMELOG_MEDIA_DIR"]) / "photos"
    assert {file.rendition for file in files} == {"display", "thumb"}
    for file in files:
        path = root / file.storage_key[:2] / file.storage_key
        assert path.is_file() and len(file.storage_key) == 32
        assert "secret" not in file.storage_key and "kitchen" not in file.storage_key
        assert path.stat().st_mode & 0o077 == 0  # owner only
    assert photo_world.app.static_folder is None


# --- the family's photos, side by side ---------------------------------------------------------

def test_the_family_listing_by_domain_in_date_order(photo_world: PhotoWorld,
                                                    factory: Factory, make_client) -> None:
    other_agency_user = factory.user()
    family = factory.family(members=(photo_world.author, other_agency_user))
    lead, author, other = make_client(), photo_world.clients["author"], make_client()
    assert lead.sign_in(family.lead.email).status_code == 201
    assert other.sign_in(other_agency_user.email).status_code == 201

    later = factory.visit(family.id, photo_world.author.id,
                          clock.now() - dt.timedelta(days=0.5), {"kitchen": 4})
    earlier = factory.visit(family.id, other_agency_user.id,
                            clock.now() - dt.timedelta(days=2), {"kitchen": 1})
    newest = upload(author, later, phone_jpeg())
    oldest = upload(other, earlier, small_jpeg())
    sleep = upload(other, earlier, small_jpeg(), domain_key="sleep", room="child_bedroom")
    assert {newest.status_code, oldest.status_code, sleep.status_code} == {201}

    listing = lead.get(f"/api/v1/families/{family.id}/photos?domain=kitchen")
    assert listing.status_code == 200, listing.json
    items = listing.json["items"]
    assert [item["id"] for item in items] == [oldest.json["id"], newest.json["id"]]
    assert [item["score"] for item in items] == [1, 4]
    assert [item["agency"]["id"] for item in items] == [other_agency_user.agency_id,
                                                         photo_world.author.agency_id]
    assert [item["visit"]["id"] for item in items] == [earlier, later]
    assert items[0]["visit"]["visited_at"] < items[1]["visit"]["visited_at"]
    assert listing.json["has_more"] is False

    by_room = lead.get(f"/api/v1/families/{family.id}/photos?room=child_bedroom").json["items"]
    assert [item["id"] for item in by_room] == [sleep.json["id"]]
    everything = lead.get(f"/api/v1/families/{family.id}/photos?per_page=2").json
    assert len(everything["items"]) == 2 and everything["has_more"] is True
    of_visit = lead.get(f"/api/v1/families/{family.id}/photos?visit={earlier}").json["items"]
    assert [item["id"] for item in of_visit] == [oldest.json["id"], sleep.json["id"]]


def test_a_visit_of_another_family_lists_no_photos(photo_world: PhotoWorld, factory: Factory,
                                                   make_client) -> None:
    author = photo_world.clients["author"]
    visit_id = photo_world.new_visit(days_ago=1, scores={"kitchen": 2})
    assert upload(author, visit_id, small_jpeg()).status_code == 201
    other_family = factory.family(members=(photo_world.author,))
    listing = author.get(f"/api/v1/families/{other_family.id}/photos?visit={visit_id}")
    assert listing.status_code == 200 and listing.json["items"] == []
    assert author.get(f"/api/v1/families/{photo_world.family.id}/photos?visit=0"
                      ).status_code == 422


def test_the_listing_shows_the_score_as_amended(photo_world: PhotoWorld) -> None:
    author = photo_world.clients["author"]
    visit_id = photo_world.new_visit(days_ago=1, scores={"kitchen": 3})
    photo = upload(author, visit_id, small_jpeg())
    assert photo.status_code == 201 and photo.json["score"] == 3
    amendment = author.post(f"/api/v1/visits/{visit_id}/amendments",
                            json={"reason": "Misread the descriptor.", "scores": {"kitchen": 2}},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    assert amendment.status_code == 201, amendment.json
    items = author.get(
        f"/api/v1/families/{photo_world.family.id}/photos?domain=kitchen").json["items"]
    item = next(item for item in items if item["id"] == photo.json["id"])
    assert item["score"] == 2
    assert item["visit"] == {**item["visit"], "id": visit_id,
                             "current_version_id": amendment.json["id"]}


def test_the_listing_is_for_the_core_group_and_audited(photo_world: PhotoWorld) -> None:
    photo_id = _photo(photo_world)
    url = f"/api/v1/families/{photo_world.family.id}/photos?domain=kitchen"
    assert photo_world.clients["outsider"].get(url).status_code == 404
    assert photo_world.clients["anonymous"].get(url).status_code == 401
    assert photo_world.clients["lead"].get(
        "/api/v1/families/999999999/photos").status_code == 404
    before = audit_count(photo_world.app, "photo.list")
    assert photo_world.clients["colleague"].get(url).status_code == 200
    assert audit_count(photo_world.app, "photo.list") == before + 1
    with photo_world.app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "photo.list").order_by(AuditEntry.id.desc())).scalars().first()
        assert entry.family_id == photo_world.family.id
        assert photo_id in entry.detail["photo_ids"]
        assert entry.detail["domain"] == "kitchen"


def test_the_listing_refuses_bad_queries(photo_world: PhotoWorld) -> None:
    base = f"/api/v1/families/{photo_world.family.id}/photos"
    for query in ("?domain=Kitchen!", "?page=0", "?per_page=1000", "?room=" + "x" * 41):
        response = photo_world.clients["lead"].get(base + query)
        assert response.status_code == 422, (query, response.json)
        assert response.json["error"]["fields"]
