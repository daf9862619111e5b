"""Add, show, list and remove photos. Services flush; the request (or command) boundary commits."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from homelog.accounts.models import PROFESSION_LABELS, Agency, Profession, User
from homelog.accounts.services import actor_of
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid, not_found
from homelog.core.idempotency import key_reused, request_fingerprint
from homelog.core.time import utcnow
from homelog.core.transactions import begin_writes
from homelog.extensions import db
from homelog.families.services import FamilyAccess, open_family
from homelog.photos import images
from homelog.photos.models import DISPLAY, ORIGINAL, THUMB, Photo, PhotoFile
from homelog.photos.storage import (
    MissingFile,
    StoredFile,
    content_hash,
    delete_when_committed,
    discard_now,
    photo_store,
    put_in_transaction,
)
from homelog.rubric.services import rubric_by_id
from homelog.visits.models import Visit
from homelog.visits.services import Submission

log = logging.getLogger(__name__)

NOT_FOUND_MESSAGE = "No such photo, or you are not in the family's core group."


# --- settings (the partnership's, from config.py) ------------------------------------------

def max_upload_bytes() -> int:
    """The largest photo file accepted (HOMELOG_PHOTO_MAX_BYTES)."""
    return int(current_app.config["HOMELOG_PHOTO_MAX_BYTES"])


def describe_bytes(size: int) -> str:
    """A size as people say it: 20 MB (in units of 1024 x 1024 bytes, as the setting is)."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes >= 1 else f"{size // 1024} KB"


def too_large(size: int | None = None) -> ApiError:
    """413 naming the limit (and what was sent, when known)."""
    limit = max_upload_bytes()
    sent = f"; this one is {size:,} bytes" if size is not None else ""
    message = f"Photos can be at most {describe_bytes(limit)} ({limit:,} bytes){sent}."
    return ApiError(413, "too_large", message, {"file": [message]})


# --- adding a photo -------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    """One photo as sent: the file's bytes and the form fields that go with it."""

    data: bytes
    domain_key: str
    room: str | None
    caption: str
    parent_agreed: bool

    def fingerprint(self, visit_id: int) -> str:
        """What a retry must repeat exactly (the file by its hash) to be the same upload."""
        return request_fingerprint(f"photo:{visit_id}", {
            "domain_key": self.domain_key, "room": self.room, "caption": self.caption,
            "parent_agreed": self.parent_agreed, "file_sha256": content_hash(self.data),
        })


def _replayed(submission: Submission) -> Photo | None:
    existing = find_photo_by_key(submission.user, submission.key)
    if existing is not None and existing.request_hash != submission.fingerprint:
        raise key_reused()
    return existing


def find_photo_by_key(user: User, key: str) -> Photo | None:
    """The photo `user` uploaded with this idempotency key, if any."""
    return db.session.execute(
        select(Photo).where(Photo.uploaded_by_id == user.id, Photo.idempotency_key == key)
    ).scalar_one_or_none()


def _check_uploader(visit: Visit, user: User) -> None:
    if visit.author_id != user.id:
        raise ApiError(403, "forbidden",
                       "Only the practitioner who recorded a visit can add photos to it.")


def _check_window(visit: Visit, now: dt.datetime) -> None:
    hours = int(current_app.config["HOMELOG_PHOTO_UPLOAD_WINDOW_HOURS"])
    closes = visit.visited_at + dt.timedelta(hours=hours)
    if now > closes:
        raise ApiError(
            422, "upload_window_closed",
            f"Photos can be added up to {hours} hours after the visit; this visit's window "
            f"closed at {closes.isoformat()}.",
            {"visit_id": [f"More than {hours} hours after the visit."]},
        )


def _check_fields(visit: Visit, upload: Upload) -> None:
    rubric = rubric_by_id(visit.rubric_version_id)
    problems: dict[str, list[str]] = {}
    if upload.domain_key not in rubric.domains:
        problems["domain_key"] = [f"Not a domain of the rubric this visit was scored with: "
                                  f"{', '.join(rubric.domains)}."]
    if upload.room is not None and upload.room not in rubric.rooms:
        problems["room"] = [f"Not a room of the rubric: {', '.join(rubric.rooms)}."]
    if not upload.parent_agreed and not current_app.config[
            "HOMELOG_PHOTO_ACCEPT_WITHOUT_AGREEMENT"]:
        problems["parent_agreed"] = [
            "This partnership accepts photos only when the parent or carer agreed to them "
            "being taken."]
    if problems:
        raise invalid(problems)


def _renditions(upload: Upload) -> images.Renditions:
    if len(upload.data) > max_upload_bytes():
        raise too_large(len(upload.data))
    try:
        return images.make_renditions(
            upload.data, keep_original=bool(current_app.config["HOMELOG_PHOTO_KEEP_ORIGINAL"]))
    except images.ImageRefused as refused:
        raise ApiError(refused.status, refused.code, refused.message,
                       {"file": [refused.message]}) from refused


def _store(renditions: images.Renditions) -> list[tuple[str, images.Rendition, StoredFile]]:
    store = photo_store()
    chosen = [(DISPLAY, renditions.display), (THUMB, renditions.thumb)]
    if renditions.original is not None:
        chosen.append((ORIGINAL, renditions.original))
    return [(name, rendition, put_in_transaction(store, rendition.data))
            for name, rendition in chosen]


def _new_photo(access: FamilyAccess, visit: Visit, submission: Submission, upload: Upload,
               renditions: images.Renditions, stored: list, now: dt.datetime) -> Photo:
    user = submission.user
    return Photo(
        family_id=access.family_id, visit_id=visit.id, domain_key=upload.domain_key,
        room=upload.room, caption=upload.caption, parent_agreed=upload.parent_agreed,
        uploaded_by_id=user.id, agency_id=user.agency_id,
        author_profession=user.profession.value, uploaded_at=now,
        idempotency_key=submission.key, request_hash=submission.fingerprint,
        received_sha256=content_hash(upload.data), received_bytes=len(upload.data),
        received_format=renditions.source_format, received_width=renditions.source_width,
        received_height=renditions.source_height,
        files=[PhotoFile(rendition=name, storage_key=file.key, sha256=file.sha256,
                         byte_size=file.size, width=rendition.width, height=rendition.height,
                         content_type=rendition.content_type)
               for name, rendition, file in stored],
    )


def add_photo(
    visit: Visit,
    access: FamilyAccess,
    submission: Submission,
    upload: Upload,
    *,
    now: dt.datetime | None = None,
) -> tuple[Photo, bool]:
    """Add a photo to a visit once; returns (photo, created).

    The same key and content again returns the first photo (even after the upload window
    has closed: it is a retry, not a new photo); the same key with other content is a 422.
    Only the visit's author may add photos, within the partnership's window after the visit.
    `now` is when the phone uploaded it (the demo dates its photos just after their visits).
    """
    existing = _replayed(submission)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    _check_uploader(visit, submission.user)
    _check_window(visit, now)
    _check_fields(visit, upload)
    renditions = _renditions(upload)
    # The files are written (and flushed to disk) before the write lock is taken, so other
    # writers wait for the rows alone; a rollback still removes them (storage.py).
    stored = _store(renditions)
    begin_writes()
    photo = _new_photo(access, visit, submission, upload, renditions, stored, now)
    try:
        with db.session.begin_nested():
            db.session.add(photo)
    except IntegrityError:
        # Two identical uploads raced: the unique (uploader, key) constraint chose the other.
        discard_now(photo_store(), [file.key for _, _, file in stored])
        existing = _replayed(submission)
        if existing is None:
            raise
        return existing, False
    record(actor_of(submission.user), "photo.create", basis=access.basis,
           family_id=access.family_id, target_type="photo", target_id=photo.id,
           detail={"visit_id": visit.id, "domain_key": upload.domain_key})
    return photo, True


# --- showing a photo ------------------------------------------------------------------------

def open_photo(user: User, photo_id: int, size: str) -> tuple[Photo, FamilyAccess]:
    """A photo the user may see (404 otherwise), with the view recorded in the audit trail."""
    family_id = db.session.execute(select(Photo.family_id).where(Photo.id == photo_id)).scalar()
    if family_id is None:
        raise not_found(NOT_FOUND_MESSAGE)
    try:
        access = open_family(user, family_id, "photo.view", target_type="photo",
                             target_id=photo_id, detail={"size": size})
    except ApiError as error:
        raise not_found(NOT_FOUND_MESSAGE) from error
    return db.session.get_one(Photo, photo_id), access


@dataclass(frozen=True)
class PhotoContent:
    data: bytes
    content_type: str


def photo_content(photo: Photo, rendition: str) -> PhotoContent:
    """The bytes of one rendition, checked against the hash recorded when it was stored."""
    file = next((file for file in photo.files if file.rendition == rendition), None)
    if file is None:
        raise not_found("This photo has no original: the partnership does not keep them."
                        if rendition == ORIGINAL else NOT_FOUND_MESSAGE)
    try:
        data = photo_store().get(file.storage_key)
    except MissingFile as error:
        log.error("photo %s: the %s file is missing from the store", photo.id, rendition)
        raise not_found("This photo's file is no longer held.") from error
    if content_hash(data) != file.sha256:
        log.error("photo %s: the %s file does not match its recorded hash", photo.id, rendition)
        raise ApiError(500, "photo_damaged",
                       "This photo's stored file has been altered or damaged, so it is not "
                       "shown. The administrator can see the details in the server log.")
    return PhotoContent(data, file.content_type)


# --- describing and listing -----------------------------------------------------------------

_display = aliased(PhotoFile)
_COLUMNS = (
    Photo.id, Photo.family_id, Photo.visit_id, Photo.domain_key, Photo.room, Photo.caption,
    Photo.parent_agreed, Photo.uploaded_at, Photo.uploaded_by_id, Photo.author_profession,
    Visit.visited_at, Visit.announced, User.name.label("author_name"),
    Agency.id.label("agency_id"), Agency.name.label("agency_name"),
    _display.width, _display.height,
)


def _photos_query() -> Select[Any]:
    return (
        select(*_COLUMNS)
        .join(Visit, Visit.id == Photo.visit_id)
        .join(User, User.id == Photo.uploaded_by_id)
        .join(Agency, Agency.id == Photo.agency_id)
        .join(_display, (_display.photo_id == Photo.id) & (_display.rendition == DISPLAY))
    )


def _successors(family_id: int) -> dict[int, int]:
    """For each amended visit of a family, the visit that superseded it."""
    rows = db.session.execute(
        select(Visit.supersedes_id, Visit.id)
        .where(Visit.family_id == family_id, Visit.supersedes_id.is_not(None))
    ).all()
    return {row.supersedes_id: row.id for row in rows}


def _latest(visit_id: int, successor: dict[int, int]) -> int:
    while visit_id in successor:
        visit_id = successor[visit_id]
    return visit_id


def _item(row: Any, current_id: int, score: int | None) -> dict[str, Any]:
    url = f"/api/v1/photos/{row.id}"
    return {
        "id": row.id,
        "family_id": row.family_id,
        "domain_key": row.domain_key,
        "room": row.room,
        "caption": row.caption,
        "parent_agreed": row.parent_agreed,
        "score": score,
        "visit": {"id": row.visit_id, "visited_at": row.visited_at,
                  "announced": row.announced, "current_version_id": current_id},
        "agency": {"id": row.agency_id, "name": row.agency_name},
        "author": {"id": row.uploaded_by_id, "name": row.author_name,
                   "profession": row.author_profession,
                   "profession_label": PROFESSION_LABELS[Profession(row.author_profession)]},
        "uploaded_at": row.uploaded_at,
        "width": row.width,
        "height": row.height,
        "urls": {"display": url, "thumb": f"{url}?size=thumb"},
    }


def _items(family_id: int, rows: list[Any]) -> list[dict[str, Any]]:
    """Items with the score each photo's domain has in the visit as it now stands (amended)."""
    successor = _successors(family_id)
    current = {row.id: _latest(row.visit_id, successor) for row in rows}
    scores = dict(db.session.execute(
        select(Visit.id, Visit.scores).where(Visit.id.in_(set(current.values())))).all())
    return [_item(row, current[row.id], scores[current[row.id]].get(row.domain_key))
            for row in rows]


def describe_photo(photo_id: int) -> dict[str, Any]:
    """One photo as the API shows it (its visit, agency, author and score; not its bytes)."""
    row = db.session.execute(_photos_query().where(Photo.id == photo_id)).one()
    return _items(row.family_id, [row])[0]


def list_family_photos(user: User, access: FamilyAccess, domain: str | None, room: str | None,
                       page: int, per_page: int, visit_id: int | None = None) -> dict[str, Any]:
    """One page of a family's photos of a domain (or room, or visit), oldest visit first;
    audited.

    For the side-by-side view of the same room over time: each photo comes with its visit,
    the agency and the score the domain was given. A visit of another family lists nothing.
    """
    query = _photos_query().where(Photo.family_id == access.family_id)
    if domain is not None:
        query = query.where(Photo.domain_key == domain)
    if room is not None:
        query = query.where(Photo.room == room)
    if visit_id is not None:
        query = query.where(Photo.visit_id == visit_id)
    query = query.order_by(Visit.visited_at, Photo.id)
    rows = db.session.execute(
        query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    items = _items(access.family_id, rows[:per_page])
    record(actor_of(user), "photo.list", basis=access.basis, family_id=access.family_id,
           target_type="family", target_id=access.family_id,
           detail={"domain": domain, "room": room, "visit_id": visit_id, "page": page,
                   "photo_ids": [item["id"] for item in items]})
    return {"items": items, "page": page, "per_page": per_page, "has_more": len(rows) > per_page}


# --- removing a family's photos (retention) -------------------------------------------------

def delete_family_photos(family_id: int, actor: User | None = None,
                         basis: str = "retention") -> int:
    """Remove every photo of a family; returns how many. For retention and purges.

    The rows go now (flushed with the caller's transaction) and the files once that
    transaction commits, so a purge that fails keeps both, and one that succeeds keeps
    neither. Recorded in the audit trail (the entry names no photo content).
    """
    photo_ids = list(db.session.execute(
        select(Photo.id).where(Photo.family_id == family_id)).scalars())
    if not photo_ids:
        return 0
    keys = list(db.session.execute(
        select(PhotoFile.storage_key).where(PhotoFile.photo_id.in_(photo_ids))).scalars())
    db.session.execute(delete(PhotoFile).where(PhotoFile.photo_id.in_(photo_ids)))
    db.session.execute(delete(Photo).where(Photo.id.in_(photo_ids)))
    db.session.flush()
    store = photo_store()
    for key in keys:
        delete_when_committed(store, key)
    record(actor_of(actor), "photo.purge", basis=basis, family_id=family_id,
           target_type="family", target_id=family_id, detail={"photos": len(photo_ids)})
    return len(photo_ids)
