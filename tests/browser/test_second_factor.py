"""Two-step sign-in in the app, at a phone's size: setting it up, then signing in with it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.second_factor_support import STEP, code, step_start
from tests.browser.screens import check_accessibility, screenshot, sign_in
from tests.support.api_client import PASSWORD
from tests.support.clock import frozen_at

# The codes are worked out on a frozen clock, which the server shares only in-process.
pytestmark = pytest.mark.in_process

CODE_FIELD = "Code from your authenticator app"


def test_set_up_two_step_sign_in_then_sign_in_with_a_code(page, factory, output_dir):
    user = factory.user()
    t0 = step_start()
    with frozen_at(t0):
        sign_in(page, user.email)
        page.get_by_role("link", name="Set up two-step sign-in").tap()
        expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
        expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
        secret = re.sub(r"\s", "", page.locator(".secret-key").inner_text())
        screenshot(page, output_dir, "two-step-scan")
        check_accessibility(page, "setting up two-step sign-in")
        page.get_by_label(CODE_FIELD).fill(code(secret))
        page.get_by_role("button", name="Confirm").tap()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_focused()
        recovery = page.locator(".recovery-codes li")
        expect(recovery).to_have_count(10)
        screenshot(page, output_dir, "two-step-recovery-codes")
        check_accessibility(page, "recovery codes")
        page.get_by_role("button", name="I have kept my recovery codes").tap()
        expect(page.get_by_role("heading", name="My families", level=1)).to_be_visible()
        expect(page.get_by_role("link", name="Set up two-step sign-in")).to_have_count(0)
        page.get_by_role("button", name="Sign out").tap()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    with frozen_at(t0 + STEP):
        page.get_by_label("Work email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").tap()
        field = page.get_by_label(CODE_FIELD)
        expect(field).to_be_focused()
        box = page.get_by_role("button", name="Sign in").bounding_box()
        assert box and box["height"] >= 44
        screenshot(page, output_dir, "sign-in-code")
        check_accessibility(page, "sign in: the code")
        field.fill("000000" if code(secret) != "000000" else "111111")
        page.get_by_role("button", name="Sign in").tap()
        expect(page.get_by_role("alert")).to_contain_text("not accepted")
        field.fill(code(secret))
        page.get_by_role("button", name="Sign in").tap()
        expect(page.get_by_role("heading", name="My families", level=1)).to_be_visible()


def test_where_required_the_first_sign_in_sets_it_up(page, factory, live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "HOMELOG_REQUIRE_SECOND_FACTOR", True)
    user = factory.user()
    with frozen_at(step_start()):
        page.goto("/")
        page.get_by_label("Work email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").tap()
        expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
        expect(page.get_by_role("link", name="Families")).to_have_count(0)  # nothing else yet
        secret = re.sub(r"\s", "", page.locator(".secret-key").inner_text())
        page.get_by_label(CODE_FIELD).fill(code(secret))
        page.get_by_role("button", name="Confirm").tap()
        page.get_by_role("button", name="I have kept my recovery codes").tap()
        expect(page.get_by_role("heading", name="My families", level=1)).to_be_visible()
