"""Signing in and out in the app."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.screens import check_accessibility, pass_two_step, screenshot, sign_in


def test_sign_in_shows_my_families(page, factory, output_dir):
    user = factory.user()
    family = factory.family(members=(user,))
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, output_dir, "sign-in")
    check_accessibility(page, "sign in")
    sign_in(page, user.email)
    expect(page.get_by_role("link", name=family.reference)).to_be_visible()


def test_a_wrong_password_is_explained(page, factory):
    user = factory.user()
    page.goto("/")
    page.get_by_label("Work email").fill(user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_in_with_the_keyboard_only(page, factory):
    user = factory.user()
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Work email")).to_be_focused()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    pass_two_step(page, user.email, page.get_by_role("heading", name="My families", level=1))


def test_every_change_carries_the_csrf_token_and_sign_out_ends_the_session(page, factory):
    user = factory.user()
    sign_in(page, user.email)
    with page.expect_request(lambda request: request.method == "DELETE") as sign_out:
        page.get_by_role("button", name="Sign out").tap()
    assert sign_out.value.headers.get("x-csrf-token")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.reload()  # the server no longer knows the session
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_screen_address_opened_directly_signs_in_then_shows_it(page, factory):
    user = factory.user()
    page.goto("/no-such-screen")
    page.get_by_label("Work email").fill(user.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").tap()
    pass_two_step(page, user.email, page.get_by_role("heading", name="Page not found"))


def test_a_session_that_ends_sends_the_person_back_to_sign_in(page, factory):
    user = factory.user()
    family = factory.family(members=(user,))
    sign_in(page, user.email)
    # The list must have arrived first: ending the session while it loads would send the
    # person to sign in before there is a link to follow.
    link = page.get_by_role("link", name=family.reference)
    expect(link).to_be_visible()
    page.context.clear_cookies()  # the session ended (idle timeout, or disabled elsewhere)
    link.tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Your session has ended. Please sign in again.")).to_be_visible()
    page.get_by_label("Work email").fill(user.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").tap()
    # Back where they were going.
    pass_two_step(page, user.email, page.get_by_role("heading", name=f"Family {family.reference}"))


def test_signing_in_asks_the_browser_to_keep_the_outbox(page, factory):
    """Without persistent storage a phone short of space may clear unsent visits."""
    page.add_init_script("""
        window.homelogPersistAsked = 0;
        if (navigator.storage) {
            navigator.storage.persisted = async () => false;
            navigator.storage.persist = async () => {
                window.homelogPersistAsked += 1;
                return true;
            };
        }
    """)
    user = factory.user()
    family = factory.family(members=(user,))
    page.goto("/")
    assert page.evaluate("window.homelogPersistAsked") == 0  # not before anyone signs in
    sign_in(page, user.email)
    expect(page.get_by_role("link", name=family.reference)).to_be_visible()
    # Polled from here: the app's CSP forbids the eval wait_for_function would need.
    for _ in range(100):
        if page.evaluate("window.homelogPersistAsked") > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.homelogPersistAsked") >= 1
