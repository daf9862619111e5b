"""The account log on a 360 px phone: an administrator finds the refused sign-ins, with
touch targets of at least 44 px and nothing wider than the screen."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from homelog.accounts.models import Profession, Role
from tests.browser.screens import check_accessibility, check_phone_fit, screenshot, sign_in
from tests.support.api_client import ApiClient


def test_an_administrator_reads_the_refused_sign_ins_on_a_phone(page: Page, live_app, factory,
                                                                output_dir):
    administrator = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    target = factory.user()
    for _ in range(2):
        assert ApiClient(live_app).sign_in(target.email, "a wrong guess").status_code == 401
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, administrator.email)
    page.get_by_role("link", name="Administration: people, agencies, settings and the "
                              "account log").tap()
    page.get_by_role("link", name="Account log", exact=True).tap()
    expect(page.get_by_role("heading", name="Account log")).to_be_visible()
    page.get_by_label("Show").select_option(label="Refused sign-ins")
    cards = page.locator("ul.viewings > li")
    expect(cards.first).to_contain_text("Sign-in refused")
    assert cards.count() >= 2
    expect(cards.first).to_contain_text(f"User {target.id}")

    check_phone_fit(page)
    check_accessibility(page, "account log")
    screenshot(page, output_dir, "account-log")
