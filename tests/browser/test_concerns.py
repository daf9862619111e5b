"""A family's concerns on a phone: the picture, then one short card per concern.

On the demo's worst family (DEMO-002: eight weeks of visits from six agencies, a kitchen
getting worse, an immediate concern), a health visitor sees the picture and every concern
"without scrolling more than two screens" (issue 13) of a 360 x 740 phone, the concern cards
themselves fit on two screens, and each concern opens onto the flags behind it.

A lead social worker records one response for a whole concern (DEMO-003, so that DEMO-002
stays as the demo made it): every flag behind it then carries that response, closing the
concern takes its card away, and a concern that changed meanwhile is said so in plain words.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from homelog.demo.partnership import DEMO_PASSWORD, LEAD, SWINGING_FAMILY, USERS
from tests.browser.screens import check_accessibility, screenshot, sign_in
from tests.browser.world import DemoFamily, demo_family

SCREEN = {"width": 360, "height": 740}
HEALTH_VISITOR = next(user.email for user in USERS if user.key == "health_visitor")
LEAD_SOCIAL_WORKER = next(user.email for user in USERS if user.key == LEAD)
RESPOND = "Respond to this concern"
_PAGE_HEIGHT = "() => document.scrollingElement.scrollHeight"


@pytest.fixture
def demo(live_app) -> DemoFamily:
    return demo_family(live_app)


@pytest.fixture
def swinging(live_app) -> DemoFamily:
    return demo_family(live_app, SWINGING_FAMILY.reference)


def _api(page: Page, path: str):
    answer = page.request.get(f"/api/v1{path}")
    assert answer.ok, answer.text()
    return answer.json()


def _flags_by_id(page: Page, family: DemoFamily, state: str = "") -> dict[int, dict]:
    query = f"?state={state}" if state else ""
    return {flag["id"]: flag for flag in _api(page, f"/families/{family.id}/flags{query}")}


def _card(page: Page, concern: dict):
    return page.locator("li.concern").filter(
        has=page.get_by_role("heading", name=concern["title"], exact=True, level=4))


def _response_form(card):
    """A concern card's own response form (its flags have theirs)."""
    return card.locator(".respond-concern")


def _open_concerns(page: Page, family: DemoFamily) -> dict:
    """Signs in as the lead social worker, opens the family's Concerns tab; returns the
    concerns as the API shows them."""
    page.set_viewport_size(SCREEN)
    sign_in(page, LEAD_SOCIAL_WORKER, DEMO_PASSWORD)
    page.goto(f"/families/{family.id}/concerns")
    expect(page.get_by_role("heading", name="The picture")).to_be_attached()
    return _api(page, f"/families/{family.id}/concerns")


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
    expect(page.get_by_text(RESPOND)).to_have_count(0)  # a practitioner does not respond
    check_accessibility(page, "family concerns, one open")
    card.get_by_text(f"Hide the {len(biggest['flag_ids'])} findings").tap()
    expect(flags.first).to_be_hidden()


def test_the_lead_records_one_response_for_a_whole_concern(page, swinging, output_dir):
    shown = _open_concerns(page, swinging)
    concern = max((concern for concern in shown["concerns"] if not concern["immediate"]),
                  key=lambda concern: len(concern["flag_ids"]))
    total = len(concern["flag_ids"])
    assert total >= 3 and all(flag["state"] == "open" for flag in concern["flags"])
    card = _card(page, concern)
    form = _response_form(card)
    expect(card).to_contain_text(f"Open · {total} findings")

    # Hidden until asked for; then the response box has focus.
    response = form.get_by_label("What the core group decided")
    expect(response).to_be_hidden()
    card.get_by_text(RESPOND).tap()
    expect(response).to_be_focused()
    expect(card).to_contain_text(f"It is recorded on each of its {total} findings.")
    expect(form.get_by_label("Close the concern as well")).not_to_be_checked()
    screenshot(page, output_dir, "family-concern-response")
    check_accessibility(page, "family concerns, responding to one")
    decision = ("Discussed at the core group: daily routine plan agreed with mother; "
                "review in two weeks.")
    response.fill(decision)
    form.get_by_role("button", name="Record the response", exact=True).tap()

    # The concern reads Acknowledged, its card says what was recorded and takes focus, and
    # every flag behind it shows the response.
    expect(card).to_contain_text(f"Acknowledged · {total} findings")
    expect(card.get_by_role("status")).to_have_text(f"Response recorded on all {total} findings.")
    expect(card.get_by_role("heading", name=concern["title"], level=4)).to_be_focused()
    expect(response).to_be_hidden()
    expect(card.get_by_text("Close this concern")).to_be_visible()  # what is left to do
    card.get_by_text(f"Show the {total} findings").tap()
    flags = card.locator(".findings").get_by_role("article")
    expect(flags).to_have_count(total)
    for flag in flags.all():
        expect(flag).to_contain_text("Acknowledged · since")
        expect(flag.locator(".response")).to_contain_text(decision)
    recorded = _flags_by_id(page, swinging)
    for flag_id in concern["flag_ids"]:
        assert recorded[flag_id]["state"] == "acknowledged"
        assert recorded[flag_id]["acknowledgement"]["response"] == decision
    screenshot(page, output_dir, "family-concern-answered")
    check_accessibility(page, "family concerns, one answered")

    # Answered, what is left is closing it, with a reason; then its card goes.
    card.get_by_text("Close this concern").tap()
    form.get_by_label("Why it can be closed").fill("Routine kept for six weeks, seen unannounced.")
    expect(form.get_by_label("Close the concern as well")).to_have_count(0)
    form.get_by_role("button", name="Close the concern", exact=True).tap()
    expect(card).to_have_count(0)
    closed = _flags_by_id(page, swinging, "closed")
    for flag_id in concern["flag_ids"]:
        assert closed[flag_id]["acknowledgement"]["response"] == decision  # kept


def test_closing_a_concern_takes_its_card_away(page, swinging):
    shown = _open_concerns(page, swinging)
    concern = min((concern for concern in shown["concerns"]
                   if concern["state"] == "open" and len(concern["flag_ids"]) >= 2),
                  key=lambda concern: len(concern["flag_ids"]))
    cards = page.locator("li.concern")
    expect(cards).to_have_count(len(shown["concerns"]))
    card = _card(page, concern)
    form = _response_form(card)
    card.get_by_text(RESPOND).tap()
    expect(card).to_contain_text("Left open, it closes by itself once visits no longer show it.")
    form.get_by_label("What the core group decided").fill(
        "Seen at the review conference: no longer a worry.")
    form.get_by_label("Close the concern as well").check()
    form.get_by_role("button", name="Record it and close the concern").tap()

    expect(cards).to_have_count(len(shown["concerns"]) - 1)
    expect(card).to_have_count(0)
    heading = page.get_by_role("heading", level=3, name=re.compile(r"^\d+ concerns?, from"))
    expect(heading).to_be_focused()
    expect(page.locator("section", has=heading).get_by_role("status").first).to_have_text(
        f"{concern['title']}: closed, with your response. Its findings are under the closed flags.")
    closed = _flags_by_id(page, swinging, "closed")
    for flag_id in concern["flag_ids"]:
        assert closed[flag_id]["closure"]["by"]["name"], closed[flag_id]
        assert closed[flag_id]["acknowledgement"]["response"].startswith("Seen at the review")

    # A safe-sleep concern says that closing it is the only way it ends.
    safe_sleep = next(concern for concern in shown["concerns"] if concern["safe_sleep"])
    card = _card(page, safe_sleep)
    card.get_by_text(RESPOND).tap()
    expect(card).to_contain_text("A safe-sleep concern never closes by itself")


def test_a_concern_that_changed_meanwhile_is_said_so_and_loaded_again(page, swinging):
    shown = _open_concerns(page, swinging)
    # About one domain, so its title (the domain's name) stays when one flag closes.
    concern = next(concern for concern in shown["concerns"]
                   if concern["state"] == "open" and len(concern["flag_ids"]) >= 3
                   and concern["domain"] is not None
                   and all(flag["state"] == "open" for flag in concern["flags"]))
    total = len(concern["flag_ids"])
    card = _card(page, concern)
    form = _response_form(card)
    card.get_by_text(RESPOND).focus()  # by keyboard this time
    page.keyboard.press("Enter")
    expect(form.get_by_label("What the core group decided")).to_be_focused()
    decision = "Joint visit by both agencies next week to agree the scores."
    form.get_by_label("What the core group decided").fill(decision)

    # Meanwhile someone closes one of its flags.
    token = _api(page, "/session")["csrf_token"]
    closing = page.request.post(
        f"/api/v1/flags/{concern['flag_ids'][0]}/acknowledge", headers={"X-CSRF-Token": token},
        data={"response": "Closed on its own.", "close": True})
    assert closing.ok, closing.text()

    form.get_by_role("button", name="Record the response", exact=True).tap()
    expect(form.get_by_role("alert")).to_contain_text("This concern changed while you were writing")
    expect(card).to_contain_text(f"Open · {total - 1} findings")  # loaded again
    expect(form.get_by_label("What the core group decided")).to_have_value(decision)
    form.get_by_role("button", name="Record the response", exact=True).tap()
    expect(card.get_by_role("status")).to_have_text(
        f"Response recorded on all {total - 1} findings.")
    expect(form.get_by_role("alert")).to_have_count(0)
    recorded = _flags_by_id(page, swinging)
    for flag_id in concern["flag_ids"][1:]:
        assert recorded[flag_id]["acknowledgement"]["response"] == decision
