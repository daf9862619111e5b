"""Recording a visit on a phone: the form, photos made small on the phone, the draft kept
through a reload, refusals shown to fix, one visit however often Send is tapped."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.screens import check_accessibility, screenshot, sign_in
from tests.browser.visiting import (
    REVIEW_STEP,
    camera_photo,
    local_input,
    next_step,
    open_record_visit,
    phone_store,
    record_visit,
    server_visits,
)
from tests.browser.world import World, family_seen_by_two_agencies
from tests.support import clock


@pytest.fixture
def world(live_app, factory) -> World:
    return family_seen_by_two_agencies(factory)


def test_a_visit_with_two_photos_reaches_the_timeline_and_the_chart(page, live_app, world,
                                                                    tmp_path, output_dir):
    sign_in(page, world.health_visitor.email)
    page.get_by_role("link", name=world.family.reference).tap()
    page.get_by_role("link", name="Record a visit").tap()
    expect(page.get_by_text(f"Step 1 of {REVIEW_STEP}")).to_be_visible()
    expect(page.get_by_text(f"Family {world.family.reference}")).to_be_visible()
    expect(page.get_by_text("Children: AB")).to_be_visible()
    screenshot(page, output_dir, "record-visit-start")
    check_accessibility(page, "record a visit: the visit")

    page.get_by_label("Unannounced").tap()
    page.get_by_label("Father or partner").tap()
    page.get_by_label("Kitchen", exact=True).tap()
    page.get_by_label("Yes, they agreed").tap()
    next_step(page)
    # The five descriptors, the family's agreed level marked, and "Not seen".
    levels = page.locator(".level")
    expect(levels).to_have_count(6)
    expect(levels.nth(1)).to_contain_text("Agreed level")
    expect(page.locator(".level-agreed")).to_have_count(1)
    expect(levels.nth(5)).to_have_text("Not seen")
    page.get_by_role("radio", name="Level 4:").tap()
    for seed in (1, 2):
        page.get_by_label("Take a photo: kitchen and food hygiene").set_input_files(
            str(camera_photo(tmp_path, seed)))
        expect(page.locator(".thumb img")).to_have_count(seed, timeout=15_000)
    screenshot(page, output_dir, "record-visit-domain")
    check_accessibility(page, "record a visit: a domain")

    # Made small on the phone: long edge 2048, re-encoded from the pixels (no EXIF, no GPS).
    photos = phone_store(page, "photos")
    assert [(photo["width"], photo["height"]) for photo in photos] == [(2048, 1536)] * 2
    assert all(photo["blob"]["type"] == "image/jpeg" for photo in photos)
    exif = page.evaluate("""async () => {
        const names = (await indexedDB.databases()).map((found) => found.name);
        const database = await new Promise((resolve) => {
            const opening = indexedDB.open('homelog');
            opening.onsuccess = () => resolve(opening.result);
        });
        const rows = await new Promise((resolve) => {
            const reading = database.transaction('photos').objectStore('photos').getAll();
            reading.onsuccess = () => resolve(reading.result);
        });
        database.close();
        const found = [];
        for (const row of rows) {
            const text = new TextDecoder('latin1').decode(await row.blob.arrayBuffer());
            found.push(text.includes('Exif') || text.includes('GPS'));
        }
        return found;
    }""")
    assert exif == [False, False]

    for _ in range(9):
        next_step(page)
        page.get_by_role("radio", name="Level 2:").tap()
    next_step(page)
    screenshot(page, output_dir, "record-visit-concerns")
    check_accessibility(page, "record a visit: immediate concerns")
    next_step(page)
    expect(page.get_by_text("Notes (needed)")).to_be_visible()
    next_step(page)
    # A score of 4 needs a note, as the API says: the review says so and will not send.
    expect(page.get_by_role("button", name="Add a note explaining")).to_be_visible()
    expect(page.get_by_role("button", name="Send visit")).to_be_disabled()
    page.get_by_role("button", name="Add a note explaining").tap()
    page.get_by_label("Notes (needed)").fill("Rotting food on the worktop again.")
    next_step(page)
    screenshot(page, output_dir, "record-visit-review")
    check_accessibility(page, "record a visit: check and send")
    page.get_by_role("button", name="Send visit").tap()

    expect(page.get_by_role("heading", name="Visit recorded")).to_be_visible()
    screenshot(page, output_dir, "record-visit-sent")
    visits = server_visits(live_app, world.family.id)
    assert len(visits) == 4 and visits[-1].photos == 2
    assert visits[-1].author_id == world.health_visitor.id
    page.get_by_role("link", name="See the family's timeline").tap()
    newest = page.locator(".timeline-item:not(.timeline-change)").first
    expect(newest).to_contain_text(world.health_agency)
    expect(newest).to_contain_text("Kitchen and food hygiene: 4 (concern)")
    page.get_by_role("link", name="Charts").tap()
    kitchen = page.get_by_role("img", name=re.compile(r"^Kitchen and food hygiene"))
    expect(kitchen).to_have_accessible_name(re.compile("4 scores"))


def test_the_draft_survives_a_reload_and_can_be_discarded(page, world, tmp_path):
    sign_in(page, world.health_visitor.email)
    open_record_visit(page, world.family.id)
    page.get_by_label("Announced (arranged)").tap()
    page.get_by_label("Mother", exact=True).tap()
    page.get_by_label("Yes, they agreed").tap()
    next_step(page)
    page.get_by_role("radio", name="Level 3:").tap()
    page.get_by_label("Take a photo: kitchen and food hygiene").set_input_files(
        str(camera_photo(tmp_path, 5, size=(800, 600))))
    expect(page.locator(".thumb img")).to_have_count(1)
    page.wait_for_timeout(400)  # the draft is kept within a fifth of a second
    page.reload()  # as if the phone locked and the browser dropped the page
    expect(page.get_by_text("Carrying on with the visit you started")).to_be_visible()
    expect(page.get_by_text(f"Step 2 of {REVIEW_STEP}")).to_be_visible()
    expect(page.get_by_role("radio", name="Level 3:")).to_be_checked()
    expect(page.locator(".thumb img")).to_have_count(1)
    page.get_by_role("button", name="Back").tap()
    expect(page.get_by_label("Announced (arranged)")).to_be_checked()
    expect(page.get_by_label("Mother", exact=True)).to_be_checked()

    for _ in range(REVIEW_STEP - 1):
        next_step(page)
    page.get_by_role("button", name="Discard this visit").tap()
    page.get_by_role("button", name="Yes, discard it").tap()
    expect(page.get_by_role("heading", name=f"Family {world.family.reference}")).to_be_visible()
    assert phone_store(page, "drafts") == [] and phone_store(page, "photos") == []


def test_double_tap_on_send_records_one_visit(page, live_app, world):
    sign_in(page, world.health_visitor.email)
    open_record_visit(page, world.family.id)
    record_visit(page, send=False)
    send = page.get_by_role("button", name="Send visit")
    send.evaluate("button => { button.click(); button.click(); }")  # faster than any thumb
    expect(page.get_by_role("heading", name="Visit recorded")).to_be_visible()
    page.wait_for_timeout(500)
    assert len(server_visits(live_app, world.family.id)) == 4
    assert phone_store(page, "outbox") == []


def test_a_refused_visit_is_shown_corrected_and_sent_once(page, live_app, world, output_dir):
    sign_in(page, world.health_visitor.email)
    open_record_visit(page, world.family.id)
    before_opened = clock.now() - dt.timedelta(days=400)  # the family opened 120 ago
    record_visit(page, when=local_input(live_app, before_opened))
    alert = page.get_by_role("alert").filter(has_text="Cannot be before the family was opened")
    expect(alert).to_be_visible()
    screenshot(page, output_dir, "record-visit-refused")
    assert len(server_visits(live_app, world.family.id)) == 3
    [refused] = phone_store(page, "outbox")
    assert refused["state"] == "attention" and refused["problem"]["status"] == 422

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").tap()
    card = page.get_by_role("listitem").filter(has_text=world.family.reference)
    expect(card).to_contain_text("The server refused this visit")
    expect(card).to_contain_text("Cannot be before the family was opened")
    screenshot(page, output_dir, "outbox-refused")
    check_accessibility(page, "outbox with a refused visit")
    card.get_by_role("link", name="Correct it").tap()
    expect(page.get_by_role("heading", name="Correct a visit")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Cannot be before")).to_be_visible()
    page.get_by_role("navigation", name="Steps").get_by_role("button", name="Back").tap()
    for _ in range(REVIEW_STEP - 2):
        page.get_by_role("navigation", name="Steps").get_by_role("button", name="Back").tap()
    yesterday = clock.now() - dt.timedelta(days=1)
    page.get_by_label("When was the visit").fill(local_input(live_app, yesterday))
    for _ in range(REVIEW_STEP - 1):
        next_step(page)
    page.get_by_role("button", name="Send visit").tap()
    expect(page.get_by_role("heading", name="Visit recorded")).to_be_visible()
    visits = server_visits(live_app, world.family.id)
    assert len(visits) == 4 and visits[-1].key == refused["key"]
    assert phone_store(page, "outbox") == []
