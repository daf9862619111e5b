"""Summaries downloaded from the app, with the password confirmed when the sign-in is old."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect
from sqlalchemy import update

from homelog.accounts.models import UserSession
from homelog.extensions import db
from tests.browser.screens import check_accessibility, screenshot, sign_in
from tests.browser.world import family_seen_by_two_agencies
from tests.support import clock


def _open_downloads(page, world) -> None:
    page.goto(f"/families/{world.family.id}")
    page.get_by_role("link", name="Summaries to download").tap()
    expect(page.get_by_role("heading", name="Summaries to download")).to_be_visible()


def test_the_core_group_summary_downloads_as_a_pdf(page, live_app, factory, output_dir):
    world = family_seen_by_two_agencies(factory)
    sign_in(page, world.lead.email)
    _open_downloads(page, world)
    screenshot(page, output_dir, "downloads")
    check_accessibility(page, "downloads")
    with page.expect_download() as started:
        page.get_by_role("button", name="Core group summary (PDF)").tap()
    download = started.value
    assert download.suggested_filename.endswith(".pdf")
    assert world.family.reference in download.suggested_filename
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    expect(page.get_by_role("status")).to_have_text("Core group summary (PDF) downloaded.")


def test_an_old_sign_in_confirms_the_password_first(page, live_app, factory):
    world = family_seen_by_two_agencies(factory)
    sign_in(page, world.lead.email)
    with live_app.app_context():  # the sign-in was two hours ago
        db.session.execute(update(UserSession).where(UserSession.user_id == world.lead.id)
                           .values(created_at=clock.now() - dt.timedelta(hours=2)))
        db.session.commit()
    _open_downloads(page, world)
    page.get_by_role("button", name="Scores (CSV)").tap()
    password = page.get_by_label("Your password")
    expect(password).to_be_visible()
    password.fill("not my password")
    page.get_by_role("button", name="Confirm and download").tap()
    expect(page.get_by_role("alert")).to_contain_text("This is not your password.")
    password.fill("correct horse battery staple")
    with page.expect_download() as started:
        page.get_by_role("button", name="Confirm and download").tap()
    assert started.value.suggested_filename.endswith(".csv")
    with open(started.value.path(), "rb") as csv_file:
        assert world.family.reference.encode() in csv_file.read()
