"""The phone works by the partnership's settings, whatever the phone's own: times are entered
and shown on the partnership's clock (a phone set to Auckland records a London wall time as
that instant in London), and the partnership's concern level decides what the phone calls
a concern and when it asks for the note a concern needs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from homelog.accounts.models import Role, User
from homelog.engine import parameters
from homelog.extensions import db
from homelog.visits.models import Event, Visit
from tests.browser.conftest import PHONE
from tests.browser.screens import ConsoleWatch, sign_in
from tests.browser.visiting import REVIEW_STEP, next_step, open_record_visit, record_visit
from tests.browser.world import World, family_seen_by_two_agencies
from tests.support import clock

FAR_ZONE = "Pacific/Auckland"


@pytest.fixture
def world(live_app, factory) -> World:
    return family_seen_by_two_agencies(factory)


@pytest.fixture
def far_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A phone set to a time zone far from the partnership's."""
    context = browser.new_context(base_url=live_server, **(PHONE | {"timezone_id": FAR_ZONE}))
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = ConsoleWatch(page)
    yield page
    watch.assert_no_policy_violations()
    context.close()


def partnership_zone(app: Flask) -> ZoneInfo:
    return ZoneInfo(app.config["HOMELOG_TIMEZONE"])


def wall_time(app: Flask, days_ago: int, hour: int, minute: int) -> dt.datetime:
    """A time `days_ago` days back on the partnership's clock, at hour:minute."""
    local = clock.now().astimezone(partnership_zone(app)) - dt.timedelta(days=days_ago)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def shown(moment: dt.datetime) -> re.Pattern:
    """How the app shows a time: "4 Dec 2026, 10:17" (the month as the browser shortens it)."""
    return re.compile(rf"^{moment.day} \w+ {moment.year}, {moment:%H:%M}$")


def test_a_phone_in_another_zone_enters_and_shows_the_partnership_time(
        far_page, live_app, world):
    page = far_page
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == FAR_ZONE
    zone = partnership_zone(live_app)
    place = zone.key.split("/")[-1].replace("_", " ")
    sign_in(page, world.health_visitor.email)

    # A visit, its time entered as the partnership's wall time.
    visited = wall_time(live_app, days_ago=3, hour=10, minute=17)
    open_record_visit(page, world.family.id)
    when = page.get_by_label("When was the visit")
    expect(page.get_by_text(f"Enter {place} time")).to_be_visible()
    # The form starts at now on the partnership's clock, not the phone's.
    now_there = clock.now().astimezone(zone)
    started = dt.datetime.strptime(when.input_value(), "%Y-%m-%dT%H:%M").replace(tzinfo=zone)
    assert abs(started - now_there) < dt.timedelta(minutes=5)
    record_visit(page, when=visited.strftime("%Y-%m-%dT%H:%M"), send=False)
    # The review shows the time as every other screen does, on the partnership's clock.
    visit_line = page.locator(".review dd").first
    expect(visit_line).to_have_text(re.compile(rf"^Unannounced, {shown(visited).pattern[1:]}"))
    page.get_by_role("button", name="Send visit").tap()
    expect(page.get_by_role("heading", name="Visit recorded")).to_be_visible()
    with live_app.app_context():
        stored = db.session.execute(select(Visit.visited_at).where(
            Visit.family_id == world.family.id).order_by(Visit.id.desc()).limit(1)).scalar_one()
    assert stored.astimezone(dt.UTC) == visited.astimezone(dt.UTC)

    # An event, the same way.
    occurred = wall_time(live_app, days_ago=4, hour=16, minute=43)
    page.goto(f"/families/{world.family.id}/events/new")
    page.get_by_label("What kind of information").select_option("gp_information")
    expect(page.get_by_text(f"Enter {place} time")).to_be_visible()
    page.get_by_label("When it happened").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("What happened").fill("The GP says the baby missed two appointments.")
    page.get_by_role("button", name="Save to the timeline").tap()
    expect(page).to_have_url(re.compile(rf"/families/{world.family.id}$"))
    with live_app.app_context():
        stored = db.session.execute(select(Event.occurred_at).where(
            Event.family_id == world.family.id).order_by(Event.id.desc()).limit(1)).scalar_one()
    assert stored.astimezone(dt.UTC) == occurred.astimezone(dt.UTC)

    # The timeline shows both at the wall time they were entered at.
    timeline = page.locator(".timeline-when")
    expect(timeline.filter(has_text=shown(visited))).to_have_count(1)
    expect(timeline.filter(has_text=shown(occurred))).to_have_count(1)


def test_at_concern_level_3_the_phone_calls_a_3_a_concern_and_asks_for_the_note(
        page, live_app, factory, world):
    administrator = factory.user(Role.ADMINISTRATOR)
    with live_app.app_context():
        before = parameters.current_values()["concern_level"]
        parameters.change(db.session.get_one(User, administrator.id), {"concern_level": 3},
                          clock.now())
        db.session.commit()
    try:
        sign_in(page, world.health_visitor.email)
        open_record_visit(page, world.family.id)
        record_visit(page, kitchen=3, send=False, ready=False)
        # Back on the kitchen's step: a 3 is shown as a concern.
        page.get_by_role("button", name="Kitchen and food hygiene").tap()
        level_3 = page.locator(".level").nth(2)
        expect(level_3).to_contain_text("Concern")
        expect(level_3).to_have_class("level level-concern level-on")
        for _ in range(REVIEW_STEP - 2):
            next_step(page)
        # The review asks for the note before anything is sent.
        expect(page.get_by_role("alert").filter(has_text="Before sending")).to_contain_text(
            "Add a note explaining the scores of 3 to 5 and any immediate concern.")
        expect(page.get_by_role("button", name="Send visit")).to_be_disabled()
        page.get_by_role("navigation", name="Steps").get_by_role("button", name="Back").tap()
        notes = page.get_by_label("Notes (needed)")
        expect(page.get_by_text("Explain the scores of 3 to 5 (Kitchen and food hygiene).")
               ).to_be_visible()
        notes.fill("Dirty dishes piled up; food left out overnight.")
        next_step(page)
        page.get_by_role("button", name="Send visit").tap()
        expect(page.get_by_role("heading", name="Visit recorded")).to_be_visible()
        with live_app.app_context():
            latest = db.session.execute(select(Visit).where(
                Visit.family_id == world.family.id).order_by(Visit.id.desc()).limit(1)
            ).scalar_one()
            assert latest.scores["kitchen"] == 3 and latest.notes.startswith("Dirty dishes")
    finally:
        with live_app.app_context():
            parameters.change(db.session.get_one(User, administrator.id),
                              {"concern_level": before}, clock.now())
            db.session.commit()
