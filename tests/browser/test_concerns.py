"""A family's concerns on a phone: the picture, then one short card per concern.

On the demo's worst family (DEMO-002: eight weeks of visits from six agencies, a kitchen
getting worse, an immediate concern), a health visitor sees the picture and every concern
"without scrolling more than two screens" (issue 13) of a 360 x 740 phone, the concern cards
themselves fit on two screens, and each concern opens onto the flags behind it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from homelog.demo.partnership import DEMO_PASSWORD, USERS
from tests.browser.screens import check_accessibility, screenshot, sign_in
from tests.browser.world import DemoFamily, demo_family

SCREEN = {"width": 360, "height": 740}
HEALTH_VISITOR = next(user.email for user in USERS if user.key == "health_visitor")
_PAGE_HEIGHT = "() => document.scrollingElement.scrollHeight"


@pytest.fixture(scope="module")
def demo(live_app) -> DemoFamily:
    return demo_family(live_app)


def _api(page: Page, path: str):
    answer = page.request.get(f"/api/v1{path}")
    assert answer.ok, answer.text()
    return answer.json()


def test_the_picture_and_every_concern_of_demo_002_fit_in_two_screens(page, demo, output_dir):
    page.set_viewport_size(SCREEN)
    sign_in(page, HEALTH_VISITOR, DEMO_PASSWORD)
    expected = _api(page, f"/families/{demo.id}/concerns")
    active = [flag for flag in _api(page, f"/families/{demo.id}/flags")
              if flag["state"] != "closed"]
    assert expected["concerns"][0]["immediate"], "the demo family's immediate concern"
    biggest = max(expected["concerns"], key=lambda concern: len(concern["flag_ids"]))
    assert len(biggest["flag_ids"]) >= 3, "several flags about one domain"

    page.goto(f"/families/{demo.id}")
    page.get_by_role("navigation", name="Family").get_by_role("link", name="Concerns").tap()
    expect(page).to_have_url(re.compile(f"/families/{demo.id}/concerns$"))
    cards = page.locator("li.concern")
    expect(cards).to_have_count(len(expected["concerns"]))
    assert cards.count() < len(active), "the flags are grouped into fewer concerns"

    # The picture first, on the first screen, in the engine's words.
    picture = page.get_by_role("region", name="The picture").get_by_role("listitem")
    expect(picture).to_have_text(expected["picture"])
    assert picture.first.bounding_box()["y"] < SCREEN["height"]
    assert picture.last.bounding_box()["y"] < cards.first.bounding_box()["y"]

    # Every concern in order, immediate first: said in words, and drawn with a heavier
    # border than the rest (not by colour alone); each says how many findings are behind
    # it; none open yet.
    expect(cards.locator("h4")).to_have_text([concern["title"]
                                              for concern in expected["concerns"]])
    expect(cards.first).to_contain_text(re.compile(r"^\s*Immediate"))
    borders = cards.evaluate_all(
        "cards => cards.map(card => parseFloat(getComputedStyle(card).borderLeftWidth))")
    assert borders[0] > max(borders[1:]), borders
    for index, concern in enumerate(expected["concerns"]):
        findings = len(concern["flag_ids"])
        expect(cards.nth(index)).to_contain_text(
            f"{findings} finding{'' if findings == 1 else 's'}")
    expect(page.locator(".findings").get_by_role("article")).to_have_count(0)  # all closed

    # The first screen is seen as the page opens; reaching the last concern takes at most
    # two screens of scrolling, and the cards alone take at most two screens.
    height = page.evaluate(_PAGE_HEIGHT)
    assert height - SCREEN["height"] <= 2 * SCREEN["height"], (
        f"the concerns page is {height} px tall on a {SCREEN['height']} px phone")
    first, last = cards.first.bounding_box(), cards.last.bounding_box()
    cards_height = last["y"] + last["height"] - first["y"]
    assert cards_height <= 2 * SCREEN["height"], f"the concern cards take {cards_height} px"
    print(f"DEMO-002 at 360 x 740: page {height} px, concern cards {cards_height:.0f} px")
    screenshot(page, output_dir, "family-concerns")
    check_accessibility(page, "family concerns")

    # A concern opens onto its flags: the same cards as before, evidence links and all.
    card = cards.filter(has=page.get_by_role("heading", name=biggest["title"], exact=True))
    card.get_by_text(f"Show the {len(biggest['flag_ids'])} findings").tap()
    flags = card.locator(".findings").get_by_role("article")
    expect(flags).to_have_count(len(biggest["flag_ids"]))
    for flag in flags.all():
        expect(flag).to_be_visible()
    first = biggest["flags"][0]
    expect(flags.first).to_contain_text(first["explanation"])
    expect(flags.first.get_by_role("link", name=re.compile(r"^visit 1 of"))).to_have_attribute(
        "href", f"/visits/{first['evidence_visit_ids'][0]}")
    expect(card.get_by_role("button", name="Record the response")).to_have_count(0)
    check_accessibility(page, "family concerns, one open")
    card.get_by_text(f"Hide the {len(biggest['flag_ids'])} findings").tap()
    expect(flags.first).to_be_hidden()
