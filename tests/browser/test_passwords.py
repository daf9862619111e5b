"""Passwords in the app, at phone size: changing your own, and setting one from a link."""

from __future__ import annotations

from playwright.sync_api import expect

from homelog.accounts.models import User
from homelog.accounts.password_links import RESET, issue_link
from homelog.extensions import db
from tests.browser.screens import check_accessibility, pass_two_step, screenshot, sign_in
from tests.support.api_client import PASSWORD

NEW = "violet kettle under the stairs"


def test_change_my_password(page, factory, output_dir):
    user = factory.user()
    sign_in(page, user.email)
    page.get_by_role("link", name="Password").tap()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    check_accessibility(page, "change password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("Summer2026")
    page.get_by_role("button", name="Change password").tap()
    expect(page.get_by_role("alert")).to_contain_text("criminals try first")
    page.get_by_label("New password").fill(NEW)
    page.get_by_role("button", name="Change password").tap()
    expect(page.get_by_role("status")).to_contain_text("Your password has changed")
    screenshot(page, output_dir, "password-changed")
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Work email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(NEW)
    page.get_by_role("button", name="Sign in", exact=True).tap()
    # Signed in with the new password, back on the screen it was on.
    pass_two_step(page, user.email, page.get_by_role("heading", name="Change your password"))


def test_set_my_password_from_a_link(page, factory, live_app, output_dir):
    user = factory.user()
    with live_app.app_context():
        issued = issue_link(db.session.get(User, user.id), RESET, email=False)
        db.session.commit()
    token = issued.link.split("#token=")[1]
    page.goto(f"/set-password#token={token}")
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    check_accessibility(page, "set password")
    page.get_by_label("New password").fill(NEW)
    page.get_by_role("button", name="Set password").tap()
    expect(page.get_by_role("status")).to_contain_text("Your password is set")
    assert "token" not in page.url
    screenshot(page, output_dir, "password-set")
    page.get_by_role("link", name="Go to sign in").tap()
    page.get_by_label("Work email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(NEW)
    page.get_by_role("button", name="Sign in", exact=True).tap()
    pass_two_step(page, user.email, page.get_by_role("heading", name="My families", level=1))
    # The link worked once.
    page.goto(f"/set-password#token={token}")
    page.get_by_label("New password").fill(NEW + " again")
    page.get_by_role("button", name="Set password").tap()
    expect(page.get_by_role("alert")).to_contain_text("expired, was already used")


def test_forgot_my_password_without_mail_says_to_ask_an_administrator(page, factory):
    page.goto("/")
    page.get_by_role("button", name="Forgot your password?").tap()
    page.get_by_label("Work email").fill(factory.user().email)
    page.get_by_role("button", name="Email me a link").tap()
    expect(page.get_by_role("status")).to_contain_text("Ask your administrator")
