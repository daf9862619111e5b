"""The agreed baseline on a phone and a laptop: the lead records the levels agreed for the
family in the rubric's words, who was there and when the parents had their copy, then
revises it; the history keeps both. A practitioner in the core group reads it, without a
form, and the charts say since when the level in force applies."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.screens import check_accessibility, check_phone_fit, screenshot, sign_in
from tests.factories import DOMAINS
from tests.support import clock
from tests.support.api_client import ApiClient

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def _check_form_fits(page: Page, width: int) -> None:
    """The form's choices are whole-row touch targets (the radio or box inside is smaller)
    and nothing is wider than the screen."""
    too_small = page.evaluate("""() => [...document.querySelectorAll(
        'main label.level, main label.choice, main button, main input[type=date], main textarea')]
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el.textContent.trim().slice(0, 40) || el.tagName,
                      el.getBoundingClientRect().height])
        .filter(([, height]) => height < 44)""")
    assert not too_small, too_small
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width


def _fact(page: Page, term: str):
    """The value of one line of the agreement in force ("Who was there", "Parents' copy")."""
    section = page.locator("section[aria-labelledby=in-force]")
    return section.locator("dl > div").filter(
        has=page.locator("dt", has_text=term)).locator("dd")


def _level(page: Page, domain: str, words: str):
    return page.get_by_role("group", name=re.compile(f"^{domain}")).get_by_label(words)


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_lead_records_and_revises_the_agreement(page: Page, factory, output_dir, size):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    page.set_viewport_size(size)
    sign_in(page, family.lead.email)
    page.goto(f"/families/{family.id}")
    page.get_by_role("link", name="Agreed baseline").click()
    expect(page.get_by_role("heading", name="Agreed baseline", level=2)).to_be_visible()
    expect(page.get_by_text("No agreement has been recorded for this family yet")).to_be_visible()
    if size is PHONE:
        check_phone_fit(page)

    page.get_by_role("button", name="Record the agreement").click()
    kitchen = "Kitchen and food hygiene"
    expect(_level(page, kitchen, "Level 2: Everyday mess, cleaned routinely")).to_be_checked()
    _level(page, "Child's sleep space", "Level 1: Own cot/bed, clean bedding").check()
    agreed_on = clock.today() - dt.timedelta(days=10)
    page.get_by_label("Agreed on").fill(agreed_on.isoformat())
    page.get_by_label(re.compile(r"^Test practitioner, ")).check()
    page.get_by_label("Others who were there").fill("Mother\n\nFather (by phone)\n")
    page.get_by_label("Note (optional)").fill("Met at the family home.")
    _check_form_fits(page, size["width"])
    check_accessibility(page, "agreement form")
    page.get_by_role("button", name="Save the agreement").click()

    expect(page.get_by_text("Saved as revision 1")).to_be_visible()
    in_force = page.locator("section[aria-labelledby=in-force]")
    expect(_fact(page, "Who was there")).to_have_text(
        re.compile(r"^Test practitioner, Health visitor, .*; Mother; Father \(by phone\)$"))
    expect(_fact(page, "Parents' copy")).to_have_text("not given yet")
    expect(in_force.locator("li").filter(has_text="Child's sleep space")).to_contain_text(
        "Good enough: level 1. At level 1: Own cot/bed, clean bedding")

    page.get_by_role("button", name="Record a new agreement").click()
    expect(page.get_by_label("Others who were there")).to_have_value("Mother\nFather (by phone)")
    expect(_level(page, "Child's sleep space", "Level 1: Own cot/bed, clean bedding")
           ).to_be_checked()
    _level(page, kitchen, "Level 3: Dishes piling up, some stale food").check()
    page.get_by_label("Parents given their copy on").fill(clock.today().isoformat())
    page.get_by_role("button", name="Save the agreement").click()

    expect(page.get_by_text("Saved as revision 2")).to_be_visible()
    history = page.get_by_role("list", name="Agreement history").locator("> li")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text(f"What changed: {kitchen} from 2 to 3")
    expect(history.first).to_contain_text("parents given their copy on")
    expect(history.first).to_contain_text("Written down by Test lead_social_worker")
    expect(history.last).to_contain_text("First agreement: Child's sleep space 1 (usually 2)")
    expect(history.last).to_contain_text("Who was there: Test practitioner")
    if size is PHONE:
        check_phone_fit(page)
    check_accessibility(page, "agreement with history")
    screenshot(page, output_dir, f"agreement-{'phone' if size is PHONE else 'laptop'}")


def test_a_practitioner_reads_it_without_a_form_and_the_chart_steps(
        page: Page, live_app, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    lead = ApiClient(live_app)
    lead.sign_in(family.lead.email)
    url = f"/api/v1/families/{family.id}/agreement"
    for days, kitchen in ((30, 2), (5, 3)):
        assert lead.put(url, json={
            "agreed_on": (clock.today() - dt.timedelta(days=days)).isoformat(),
            "levels": dict.fromkeys(DOMAINS, 2) | {"kitchen": kitchen},
            "attendees": ["Mother", "Test practitioner"]}).status_code == 200

    page.set_viewport_size(PHONE)
    sign_in(page, practitioner.email)
    page.goto(f"/families/{family.id}/agreement")
    expect(_fact(page, "Who was there")).to_have_text("Mother; Test practitioner")
    expect(page.get_by_text("The lead social worker records the agreement")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Record"))).to_have_count(0)
    expect(page.get_by_role("list", name="Agreement history").locator("> li")).to_have_count(2)
    check_phone_fit(page)

    page.goto(f"/families/{family.id}/charts")
    since = clock.today() - dt.timedelta(days=5)
    expect(page.locator(".domain-chart").filter(has_text="Kitchen and food hygiene")
           .locator(".byline")).to_contain_text(
        f"level 1 to 3 since {since.day} {since:%b %Y} (before: level 1 to 2)")
