"""Break-glass on a phone: a manager opens a family outside their core groups with a reason,
sees the banner saying so and when it ends; the lead finds it in the inbox at once."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from homelog.accounts.models import Profession, Role
from tests.browser.conftest import PHONE
from tests.browser.screens import check_accessibility, screenshot, sign_in

REASON = "Covering for the lead social worker, who is off sick today."


def test_a_manager_opens_a_family_with_a_reason_and_sees_the_banner(
        page: Page, browser: Browser, live_server: str, factory, output_dir):
    family = factory.family()
    manager = factory.user(Role.MANAGER, Profession.TEAM_MANAGER)
    sign_in(page, manager.email)
    page.get_by_role("link", name="Open a family you are not in").tap()
    expect(page.get_by_role("heading", name="Open a family you are not in", level=1)
           ).to_be_visible()
    expect(page.get_by_text("The family's lead social worker is told at once")).to_be_visible()
    page.get_by_label("The family's reference").fill(family.reference)
    page.get_by_label("Why you need to open it").fill("Need to look")
    submit = page.get_by_role("button", name="Open the family and tell the lead")
    expect(submit).to_be_disabled()  # too short to be a reason
    check_accessibility(page, "break-glass form")
    page.get_by_label("Why you need to open it").fill(REASON)
    submit.tap()

    expect(page.get_by_role("heading", name=f"Family {family.reference}", level=1)
           ).to_be_visible()
    banner = page.locator(".break-glass-banner")
    expect(banner).to_contain_text("Break-glass access")
    expect(banner).to_contain_text(re.compile(r"Your access ends at .*\d\d:\d\d"))
    check_accessibility(page, "a family opened by break-glass")
    screenshot(page, output_dir, "break-glass-family")
    page.get_by_role("tab", name="Concerns").or_(page.get_by_role("link", name="Concerns")
                                                 ).first.tap()
    expect(banner).to_be_visible()  # on every screen of the family

    lead_context = browser.new_context(base_url=live_server, **PHONE)
    try:
        lead = lead_context.new_page()
        sign_in(lead, family.lead.email)
        lead.goto("/inbox")
        entry = lead.locator("li.card").filter(has_text="Opened by break-glass")
        expect(entry).to_contain_text(REASON)
        expect(entry).to_contain_text("Test manager")
        entry.get_by_role("button", name=re.compile("See who has viewed")).tap()
        expect(lead.get_by_role("heading", name="Who has viewed this family")).to_be_visible()
        expect(lead.locator("li.card").filter(has_text="Opened the family by break-glass")
               .first).to_contain_text(REASON)
    finally:
        lead_context.close()


def test_someone_not_a_manager_is_told_they_cannot(page: Page, factory):
    practitioner = factory.user()
    sign_in(page, practitioner.email)
    expect(page.get_by_role("link", name="Open a family you are not in")).to_have_count(0)
    page.goto("/break-glass")
    expect(page.get_by_text("Only a manager can open a family outside their core groups")
           ).to_be_visible()
