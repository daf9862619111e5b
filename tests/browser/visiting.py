"""Recording a visit on the phone as a practitioner would, and looking at what the phone and
the server then hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from homelog.audit.models import AuditEntry
from homelog.extensions import db
from homelog.photos.models import Photo
from homelog.visits.models import Visit
from tests.photos.pictures import phone_jpeg, scene

DOMAIN_COUNT = 10
# The steps: the visit, ten domains, immediate concerns, notes, check and send.
REVIEW_STEP = DOMAIN_COUNT + 4


def camera_photo(folder: Path, seed: int, size: tuple[int, int] = (3000, 2250)) -> Path:
    """A photo as a phone camera saves one: large, with EXIF (GPS), XMP and an ICC profile."""
    path = folder / f"camera-{seed}.jpg"
    path.write_bytes(phone_jpeg(image=scene(*size, seed=seed)))
    return path


def open_record_visit(page: Page, family_id: int) -> None:
    page.goto(f"/families/{family_id}/visits/new")
    expect(page.get_by_text(f"Step 1 of {REVIEW_STEP}")).to_be_visible()


def next_step(page: Page) -> None:
    page.get_by_role("navigation", name="Steps").get_by_role("button", name="Next").tap()


def record_visit(page: Page, *, photos: tuple[Path, ...] = (), kitchen: int = 2,
                 notes: str = "", when: str | None = None, send: bool = True,
                 ready: bool = True) -> None:
    """From step 1 of Record a visit: unannounced, mother and children seen, two rooms; the
    kitchen at `kitchen` with `photos`, every other domain good enough (sleep not seen).
    Ends on the review step, where Send is enabled (disabled when not `ready`)."""
    if when is not None:
        page.get_by_label("When was the visit").fill(when)
    page.get_by_label("Unannounced").tap()
    page.get_by_label("Mother", exact=True).tap()
    page.get_by_label("Children seen").tap()
    page.get_by_label("Kitchen", exact=True).tap()
    page.get_by_label("Living room").tap()
    page.get_by_label("Yes, they agreed" if photos else "No photos").tap()
    next_step(page)
    expect(page.get_by_role("heading", name="Kitchen and food hygiene")).to_be_visible()
    page.get_by_role("radio", name=f"Level {kitchen}:").tap()
    for index, path in enumerate(photos):
        page.get_by_label("Take a photo: kitchen and food hygiene").set_input_files(str(path))
        expect(page.locator(".thumb img")).to_have_count(index + 1, timeout=15_000)
    for index in range(1, DOMAIN_COUNT):
        next_step(page)
        expect(page.get_by_text(f"Step {index + 2} of {REVIEW_STEP}")).to_be_visible()
        # The fifth domain is the child's sleep space: say it was not seen.
        page.get_by_role("radio", name="Not seen" if index == 4 else "Level 2:").tap()
    next_step(page)  # immediate concerns: none
    next_step(page)
    if notes:
        page.get_by_label("Notes", exact=False).first.fill(notes)
    next_step(page)
    send_button = page.get_by_role("button", name="Send visit")
    if ready:
        expect(send_button).to_be_enabled()
    else:
        expect(send_button).to_be_disabled()
    if send:
        page.get_by_role("button", name="Send visit").tap()


def local_input(app: Flask, moment: dt.datetime) -> str:
    """A datetime-local field's value for an aware moment: the partnership's wall time (the
    phone's fields are in the partnership's time zone, whatever the phone's own)."""
    return moment.astimezone(ZoneInfo(app.config["HOMELOG_TIMEZONE"])).strftime("%Y-%m-%dT%H:%M")


def go_offline(page: Page) -> None:
    """Waits until the phone could work with no signal (service worker active, offline kit
    kept), then cuts the signal."""
    page.wait_for_function("""async () => {
        const registration = await navigator.serviceWorker.ready;
        if (!registration.active) return false;
        const names = (await indexedDB.databases()).map((found) => found.name);
        if (!names.includes('homelog')) return false;
        return await new Promise((resolve) => {
            const opening = indexedDB.open('homelog');
            opening.onsuccess = () => {
                const database = opening.result;
                const counting = database.transaction('kits').objectStore('kits').count();
                counting.onsuccess = () => { database.close(); resolve(counting.result > 0); };
            };
            opening.onerror = () => resolve(false);
        });
    }""", polling=200, timeout=15_000)
    page.context.set_offline(True)


def phone_store(page: Page, store: str) -> list[dict]:
    """What one of the app's IndexedDB stores holds (Blobs summarised by size and type)."""
    return page.evaluate("""async (store) => {
        const names = (await indexedDB.databases()).map((found) => found.name);
        if (!names.includes('homelog')) return [];
        return await new Promise((resolve, reject) => {
            const opening = indexedDB.open('homelog');
            opening.onsuccess = () => {
                const database = opening.result;
                const reading = database.transaction(store).objectStore(store).getAll();
                reading.onsuccess = () => {
                    database.close();
                    resolve(reading.result.map((row) => JSON.parse(JSON.stringify(row,
                        (key, value) => value instanceof Blob
                            ? { size: value.size, type: value.type } : value))));
                };
                reading.onerror = () => reject(reading.error);
            };
        });
    }""", store)


@dataclass(frozen=True)
class ServerVisit:
    id: int
    key: str
    author_id: int
    photos: int


def server_visits(app: Flask, family_id: int, since: dt.datetime | None = None
                  ) -> list[ServerVisit]:
    """The visits the server holds for the family (recorded after `since`), with photo counts."""
    with app.app_context():
        photos = (select(func.count()).select_from(Photo).where(Photo.visit_id == Visit.id)
                  .scalar_subquery())
        query = select(Visit.id, Visit.idempotency_key, Visit.author_id, photos).where(
            Visit.family_id == family_id).order_by(Visit.id)
        if since is not None:
            query = query.where(Visit.recorded_at >= since)
        rows = db.session.execute(query).all()
        db.session.remove()
        return [ServerVisit(*row) for row in rows]


def audit_actions(app: Flask, action: str, user_id: int) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.user_id == user_id)).scalars().all()
        db.session.expunge_all()
        db.session.remove()
        return list(rows)
