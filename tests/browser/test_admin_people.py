"""People, at phone and laptop size: an administrator invites someone where Homelog cannot
send email and hands over the link shown; that person chooses a password with it and signs
in, seeing no administration; the administrator stops them signing in (their next request
is refused) and lets them sign in again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from homelog.accounts.models import Profession, Role
from tests.browser.conftest import PHONE as PHONE_CONTEXT
from tests.browser.screens import check_accessibility, check_phone_fit, screenshot, sign_in
from tests.factories import unique

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
THEIR_PASSWORD = "copper kettle by the north window"


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_invite_someone_who_sets_a_password_then_disable_and_enable_them(
        page: Page, browser: Browser, live_server: str, factory, output_dir, size):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    agency = factory.agency()
    name, email = f"Midwife {unique('m')[-6:]}", f"{unique('invited')}@test.homelog.test"
    page.set_viewport_size(size)
    sign_in(page, admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Rubric")).to_have_attribute("href", "/admin/rubric")
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    page.get_by_role("link", name="Invite a person").click()

    page.get_by_label("Name").fill(name)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Role in Homelog").select_option("practitioner")
    page.get_by_label("Profession").select_option("midwife")
    page.get_by_label("Agency").select_option(str(agency))
    if size is PHONE:
        check_phone_fit(page)
        check_accessibility(page, "invite a person")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_role("heading", name=f"{name} is invited")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Homelog cannot send email here")
    link = page.get_by_label("Link to choose a password").input_value()
    assert "/set-password#token=" in link
    screenshot(page, output_dir, f"admin-invited-{'phone' if size is PHONE else 'laptop'}")

    # The person opens the link handed to them (on this server) and chooses a password.
    theirs = browser.new_context(base_url=live_server, **PHONE_CONTEXT)
    try:
        person = theirs.new_page()
        person.goto("/set-password#token=" + link.split("#token=")[1])
        person.get_by_label("New password").fill(THEIR_PASSWORD)
        person.get_by_role("button", name="Set password").tap()
        expect(person.get_by_role("status")).to_contain_text("Your password is set")
        sign_in(person, email, THEIR_PASSWORD)
        bar = person.get_by_role("navigation", name="Main")
        expect(bar.get_by_role("link", name="Inbox")).to_be_visible()
        expect(bar.get_by_role("link", name="Admin")).to_have_count(0)
        person.goto("/admin/people")
        expect(person.get_by_role("heading", name="Not available to you")).to_be_visible()
        expect(person.get_by_role("link", name="Invite a person")).to_have_count(0)

        page.get_by_role("link", name=f"See {name}'s details").click()
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        expect(page.get_by_text("Has chosen a password")).to_be_visible()
        expect(page.get_by_text("Last signed in")).to_be_visible()
        page.get_by_role("button", name=f"Stop {name} signing in").click()
        page.get_by_role("button", name=f"Yes, stop {name} signing in").click()
        expect(page.get_by_role("status")).to_contain_text("cannot sign in any more")
        expect(page.get_by_text("Stopped from signing in")).to_be_visible()
        if size is PHONE:
            check_phone_fit(page)
            check_accessibility(page, "a person stopped from signing in")
        screenshot(page, output_dir, f"admin-person-{'phone' if size is PHONE else 'laptop'}")

        # Their very next request is refused: the app is back at the sign-in screen.
        bar.get_by_role("link", name="Inbox").tap()
        expect(person.get_by_role("heading", name="Sign in")).to_be_visible()

        page.get_by_role("button", name=f"Let {name} sign in again").click()
        expect(page.get_by_role("status")).to_contain_text("can sign in again")
        sign_in(person, email, THEIR_PASSWORD)
    finally:
        theirs.close()


def test_an_administrator_cannot_stop_themselves_and_renames_an_agency(page: Page, factory):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    sign_in(page, admin.email)
    page.goto(f"/admin/people/{admin.id}")
    expect(page.get_by_text("You cannot stop yourself signing in")).to_be_visible()
    expect(page.get_by_label("Role in Homelog")).to_be_disabled()
    expect(page.get_by_role("button", name="Stop Test administrator signing in")
           ).to_have_count(0)

    agency = factory.agency()
    new_name = unique("Renamed")
    with page.expect_response("**/api/v1/agencies") as loaded:
        page.goto("/admin/agencies")
    names = {a["id"]: a["name"] for a in loaded.value.json()}
    page.get_by_role("button", name=f"Rename {names[agency]}").tap()
    form = page.get_by_role("form", name=f"Rename {names[agency]}")
    form.get_by_label("Name").fill(new_name)
    form.get_by_role("button", name="Save the name").tap()
    expect(page.get_by_role("button", name=f"Rename {new_name}")).to_be_visible()
    check_phone_fit(page)
