"""The main screens, on a phone: what a practitioner and a lead social worker see and do.

Each main screen is photographed (test-output/screenshots) and checked with axe-core.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.screens import check_accessibility, screenshot, sign_in
from tests.browser.world import World, family_seen_by_two_agencies

# Finds where a colour is drawn on a canvas: the middle of the first blob of it, in CSS
# pixels from the canvas's top left (so a test taps what a person would see).
_FIND_COLOUR = """([canvas, rgb]) => {
    const [r, g, b] = rgb.match(/\\d+/g).map(Number);
    const { width, height } = canvas;
    const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let first = null; let sumX = 0; let sumY = 0; let count = 0;
    for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width; x += 1) {
            const i = (y * width + x) * 4;
            const off = Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g)
                + Math.abs(pixels[i + 2] - b);
            if (off > 6) continue;
            first ??= { x, y };
            if (Math.abs(x - first.x) < 24 && Math.abs(y - first.y) < 24) {
                sumX += x; sumY += y; count += 1;
            }
        }
    }
    if (!count) return null;
    const scale = width / canvas.clientWidth;
    return { x: sumX / count / scale, y: sumY / count / scale, pixels: count };
}"""


@pytest.fixture
def world(live_app, factory) -> World:
    return family_seen_by_two_agencies(factory)


def _open_family(page: Page, world: World, tab: str = "") -> None:
    page.goto(f"/families/{world.family.id}{tab}")
    expect(page.get_by_role("heading", name=f"Family {world.family.reference}")).to_be_visible()


def test_my_families_shows_open_flags_and_days_since_visits(page, world, output_dir):
    sign_in(page, world.health_visitor.email)
    card = page.get_by_role("listitem").filter(has_text=world.family.reference)
    expect(card).to_contain_text("1 open flag (most serious: immediate)")
    expect(card).to_contain_text("Last visit: 1 day ago")
    expect(card).to_contain_text("Last unannounced: 1 day ago")
    screenshot(page, output_dir, "my-families")
    check_accessibility(page, "my families")
    card.get_by_role("link").tap()
    expect(page.get_by_role("heading", name=f"Family {world.family.reference}")).to_be_visible()


def test_the_timeline_shows_every_agencys_visits(page, world, output_dir):
    sign_in(page, world.lead.email)
    _open_family(page, world)
    # (the family record's own changes, also on the timeline: test_families_admin.py)
    entries = page.locator(".timeline-item:not(.timeline-change)")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text(world.health_agency)
    expect(entries.nth(0)).to_contain_text("Immediate concerns: No food")
    expect(entries.nth(2)).to_contain_text(world.lead_agency)
    expect(entries.nth(2)).to_contain_text("Kitchen and food hygiene: 4 (concern)")
    screenshot(page, output_dir, "family-timeline")
    check_accessibility(page, "family timeline")


def test_the_chart_draws_each_agencys_points_and_a_tap_opens_the_visit(page, world, output_dir):
    sign_in(page, world.lead.email)
    _open_family(page, world, "/charts")
    expect(page.get_by_text("Last unannounced visit")).to_be_visible()
    kitchen = page.get_by_role("img", name=re.compile(r"^Kitchen and food hygiene"))
    expect(kitchen).to_have_accessible_name(re.compile("3 scores"))
    key = page.get_by_role("group", name="Key to the charts")
    colours = {agency: key.get_by_role("listitem").filter(has_text=agency)
               .locator(".swatch").evaluate("swatch => getComputedStyle(swatch).backgroundColor")
               for agency in (world.lead_agency, world.health_agency)}
    assert colours[world.lead_agency] != colours[world.health_agency]
    kitchen.scroll_into_view_if_needed()
    page.wait_for_function("canvas => canvas.width > 0", arg=kitchen.element_handle())
    points = {agency: kitchen.evaluate(f"(canvas, rgb) => ({_FIND_COLOUR})([canvas, rgb])", colour)
              for agency, colour in colours.items()}
    assert all(points.values()), f"points not drawn: {points}"
    # Level 4 (the lead's unannounced visit) is drawn below level 2 (the health visitor's).
    assert points[world.lead_agency]["y"] > points[world.health_agency]["y"]
    screenshot(page, output_dir, "family-charts")
    check_accessibility(page, "family charts")

    kitchen.evaluate("canvas => canvas.scrollIntoView({block: 'center'})")  # clear of the bars
    box = kitchen.bounding_box()
    page.touchscreen.tap(box["x"] + 4, box["y"] + 4)  # away from every point: nothing opens
    page.wait_for_timeout(300)
    expect(page).to_have_url(re.compile(f"/families/{world.family.id}/charts$"))
    lead_point = points[world.lead_agency]
    page.touchscreen.tap(box["x"] + lead_point["x"], box["y"] + lead_point["y"])
    expect(page).to_have_url(re.compile(f"/visits/{world.lead_visit_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Unannounced visit"))
    expect(page.get_by_text(world.lead_agency).first).to_be_visible()
    expect(page.get_by_text("4: Ingrained dirt, rotting food")).to_be_visible()
    screenshot(page, output_dir, "visit")
    check_accessibility(page, "visit")


def test_recording_information_puts_it_on_the_timeline(page, world, output_dir):
    sign_in(page, world.health_visitor.email)
    _open_family(page, world)
    page.get_by_role("link", name="Record information").tap()
    expect(page.get_by_role("heading", name="Record information")).to_be_visible()
    page.get_by_label("What kind of information").select_option(label="Police call-out")
    page.get_by_label("What happened").fill("Neighbours reported shouting; officers attended.")
    page.get_by_label("Where it came from (optional)").fill("Police log")
    screenshot(page, output_dir, "record-information")
    check_accessibility(page, "record information")
    page.get_by_role("button", name="Save to the timeline").tap()
    expect(page.get_by_role("heading", name=f"Family {world.family.reference}")).to_be_visible()
    event = page.locator(".timeline-event")
    expect(event).to_have_count(1)
    expect(event).to_contain_text("Police call-out")
    expect(event).to_contain_text("Neighbours reported shouting")
    expect(event).to_contain_text("Source: Police log")


def _immediate_concern(page: Page):
    """The concern card the world's "no food" flag is in, and that flag's own card."""
    concern = page.locator("li.concern").filter(
        has=page.get_by_role("heading", name="Immediate concern", level=4))
    return concern, concern.locator(".findings").get_by_role("article", name="Immediate concern")


def test_the_lead_acknowledges_a_flag_with_a_response(page, world, output_dir):
    sign_in(page, world.lead.email)
    _open_family(page, world, "/concerns")
    concern, flag = _immediate_concern(page)
    expect(page.locator("li.concern")).to_have_count(1)
    expect(concern).to_contain_text("Open · 1 finding")
    expect(concern).to_contain_text("No food or formula")
    concern.get_by_text("Show the finding").tap()
    expect(flag).to_contain_text("No food or formula")
    expect(flag.get_by_role("link", name="visit 1 of 1")).to_have_attribute(
        "href", f"/visits/{world.concern_visit_id}")
    screenshot(page, output_dir, "family-flags")
    check_accessibility(page, "family flags")
    flag.get_by_label("What the core group decided").fill(
        "Food bank voucher given; revisit tomorrow.")
    flag.get_by_role("button", name="Record the response").tap()
    expect(concern).to_contain_text("Acknowledged · 1 finding")
    expect(flag).to_contain_text("Food bank voucher given; revisit tomorrow.")


def test_a_practitioner_sees_flags_but_cannot_respond(page, world):
    sign_in(page, world.health_visitor.email)
    _open_family(page, world, "/flags")  # the tab's old address still opens it
    tabs = page.get_by_role("navigation", name="Family")
    expect(tabs.get_by_role("link", name="Concerns")).to_have_attribute("aria-current", "page")
    concern, flag = _immediate_concern(page)
    concern.get_by_text("Show the finding").tap()
    expect(flag).to_be_visible()
    expect(flag.get_by_role("button", name="Record the response")).to_have_count(0)


def test_the_inbox_lists_new_flags_and_opens_them(page, world, output_dir):
    sign_in(page, world.health_visitor.email)
    main_bar = page.get_by_role("navigation", name="Main")
    main_bar.get_by_role("link", name=re.compile(r"^Inbox\W+1 unread$")).tap()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    entry = page.get_by_role("listitem").filter(has_text=world.family.reference)
    expect(entry).to_contain_text("Unread: Immediate concern")
    screenshot(page, output_dir, "inbox")
    check_accessibility(page, "inbox")
    entry.get_by_role("button", name="Open the flag").tap()
    _, flag = _immediate_concern(page)  # opened in its concern, in view, with focus
    expect(flag).to_be_in_viewport()
    expect(flag.get_by_role("heading", name="Immediate concern")).to_be_focused()
    expect(main_bar.get_by_role("link", name="Inbox", exact=True)).to_be_visible()  # none unread
    page.go_back()
    entry = page.get_by_role("listitem").filter(has_text=world.family.reference)
    expect(entry).not_to_contain_text("Unread")


def test_photos_of_one_domain_side_by_side(page, live_app, factory, output_dir):
    world = family_seen_by_two_agencies(factory, photos=True)
    sign_in(page, world.lead.email)
    _open_family(page, world, "/photos")
    expect(page.get_by_label("Domain")).to_have_value("kitchen")
    photos = page.locator(".photo-card img")
    expect(photos).to_have_count(2)
    for index in range(2):
        photos.nth(index).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=photos.nth(index).element_handle())
    first, second = photos.nth(0).bounding_box(), photos.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"]  # side by side
    screenshot(page, output_dir, "family-photos")
    check_accessibility(page, "family photos")
    page.get_by_label("Domain").select_option("sleep")
    expect(page.get_by_text("No photos of this domain yet.")).to_be_visible()

    page.get_by_label("Domain").select_option("kitchen")
    page.get_by_role("link", name="Open the visit").last.tap()  # the latest photo's visit
    thumbs = page.get_by_role("list", name="Photos: Kitchen and food hygiene")
    expect(thumbs.get_by_role("img")).to_have_count(1)  # only that visit's photo
    expect(thumbs.get_by_role("img")).to_have_attribute("alt", "Worktop, photo 2")
