"""Engine settings, at phone and laptop size: each setting in plain words with its default
beside it; a value out of range is refused under its own field; a change is saved and shows
in the history with who made it. Someone who is not an administrator cannot open it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from homelog.accounts.models import Profession, Role
from tests.browser.screens import check_accessibility, check_phone_fit, screenshot, sign_in
from tests.support.api_client import ApiClient

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
SETTING = "no_visit_days"


@pytest.fixture
def admin_api(live_app: Flask, factory) -> Iterator[tuple[str, ApiClient]]:
    """An administrator; the setting this test changes is put back afterwards, so the other
    browser tests see the partnership as they expect it."""
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    client = ApiClient(live_app)
    assert client.sign_in(admin.email).status_code == 201
    before = {item["name"]: item["value"] for item in
              client.get("/api/v1/engine/parameters").json["parameters"]}[SETTING]
    yield admin.email, client
    client.sign_in(admin.email)
    assert client.put("/api/v1/engine/parameters", json={SETTING: int(before)}).status_code == 200


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_change_a_setting_and_see_it_in_the_history(page: Page, admin_api, output_dir, size):
    email, api = admin_api
    now = int({item["name"]: item["value"] for item in
               api.get("/api/v1/engine/parameters").json["parameters"]}[SETTING])
    wanted = 21 if now != 21 else 20
    page.set_viewport_size(size)
    sign_in(page, email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Engine settings").click()
    expect(page.get_by_role("heading", name="Engine settings", level=1)).to_be_visible()
    field = page.get_by_label("No visit at all for (days)")
    expect(field).to_have_value(str(now))
    gaps = page.get_by_role("form", name="Gaps in visiting")
    expect(gaps).to_contain_text("Default: 14 days")
    if size is PHONE:
        check_phone_fit(page)
        check_accessibility(page, "engine settings")

    field.fill("0")
    gaps.get_by_role("button", name="Save gaps in visiting").click()
    expect(gaps.locator("#no_visit_days-problem")).to_contain_text("greater than or equal to 1")

    field.fill(str(wanted))
    gaps.get_by_role("button", name="Save gaps in visiting").click()
    expect(gaps.get_by_role("status")).to_have_text("1 setting changed.")
    latest = page.get_by_role("list", name="Changes to the settings").locator("li.card").first
    expect(latest).to_contain_text("Test administrator")
    expect(latest).to_contain_text(f"No visit at all for: from {now} days to {wanted} days")
    screenshot(page, output_dir, f"admin-engine-{'phone' if size is PHONE else 'laptop'}")


def test_a_practitioner_sees_no_administration(page: Page, factory):
    sign_in(page, factory.user().email)
    bar = page.get_by_role("navigation", name="Main")
    expect(bar.get_by_role("link", name="Families")).to_be_visible()
    expect(bar.get_by_role("link", name="Admin")).to_have_count(0)
    for address in ("/admin", "/admin/engine", "/account-log"):
        page.goto(address)
        expect(page.get_by_role("heading", name="Not available to you")).to_be_visible()
        expect(page.get_by_role("button", name="Save gaps in visiting")).to_have_count(0)
