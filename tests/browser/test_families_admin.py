"""Running a family's record in the app, at phone and laptop size: a lead social worker opens a
family, changes its details, closes it (it leaves My families, and shows under the closed
ones) and reopens it; changes its core group (finds someone by agency, adds them, is told of an
agency visiting without anyone in the group, removes someone after a confirmation, hands the
lead over); each change is on the family's timeline in plain words."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from homelog.accounts.models import Profession, Role
from tests.browser.screens import check_accessibility, check_phone_fit, screenshot, sign_in
from tests.factories import unique
from tests.support.api_client import ApiClient

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
SIZES = pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])


def _agency_name(app: Flask, user) -> str:
    client = ApiClient(app)
    assert client.sign_in(user.email).status_code == 201
    return next(agency["name"] for agency in client.get("/api/v1/agencies").json
                if agency["id"] == user.agency_id)


@SIZES
def test_open_a_family_change_it_close_and_reopen_it(page: Page, factory, output_dir, size):
    lead = factory.lead()
    reference = unique("FAM")
    page.set_viewport_size(size)
    sign_in(page, lead.email)
    page.get_by_role("link", name="Open a family").click()
    expect(page.get_by_role("heading", name="Open a family", level=1)).to_be_visible()
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Address").fill("4 Quarry Lane")
    page.get_by_label("Child 1: initials").fill("JD")
    page.get_by_label("Child 1: date of birth").fill("2025-03-04")
    page.get_by_role("button", name="Add a child").click()
    page.get_by_label("Child 2: initials").fill("KD")
    page.get_by_label("Child 2: date of birth").fill("2026-07-01")
    page.get_by_label("Plan", exact=True).select_option("neglect")
    page.get_by_label("Plan start date").fill("2026-10-01")
    page.get_by_label("Opened on").fill("2026-10-02")
    if size is PHONE:
        check_phone_fit(page)
        check_accessibility(page, "open a family")
    page.get_by_role("button", name="Open the family").click()

    expect(page.get_by_role("heading", name=f"Family {reference}", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Details and core group")).to_be_visible()
    expect(page.locator(".facts").filter(has_text="4 Quarry Lane")).to_be_visible()
    page.get_by_role("button", name="Change details").click()
    page.get_by_label("Address").fill("12 Mill Row")
    page.get_by_label("Why (optional)").fill("The family moved")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator(".facts").filter(has_text="12 Mill Row")).to_be_visible()
    if size is PHONE:
        check_phone_fit(page)
        check_accessibility(page, "family details")

    page.get_by_role("button", name="Close this family's record").click()
    page.get_by_label("Why is the record being closed?").fill("Plan ended at the review")
    page.get_by_role("button", name="Close the record").click()
    expect(page.get_by_role("status").filter(has_text="record was closed on")).to_contain_text(
        "Plan ended at the review")
    expect(page.get_by_role("link", name="Record a visit")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Families").click()
    expect(page.get_by_role("heading", name="My families", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(reference))).to_have_count(0)
    page.get_by_role("button", name="Show closed families").click()
    page.get_by_role("link", name=re.compile(reference)).click()
    page.get_by_role("link", name="Details and core group").click()
    page.get_by_role("button", name="Reopen this family's record").click()
    page.get_by_label("Why is the record being reopened?").fill("New referral from school")
    page.get_by_role("button", name="Reopen the record").click()
    expect(page.get_by_role("link", name="Record a visit")).to_be_visible()

    page.get_by_role("link", name="Timeline").click()
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("li").first).to_contain_text("Family record reopened by")
    expect(timeline).to_contain_text("Reason: New referral from school")
    expect(timeline).to_contain_text("Address: 4 Quarry Lane, now 12 Mill Row")
    expect(timeline).to_contain_text("Reason: Plan ended at the review")
    screenshot(page, output_dir, f"family-changes-{'phone' if size is PHONE else 'laptop'}")


@SIZES
def test_change_the_core_group(page: Page, live_app: Flask, factory, output_dir, size):
    police = factory.agency()
    officer = factory.user(Role.PRACTITIONER, Profession.POLICE_OFFICER, agency_id=police)
    visitor = factory.user(Role.PRACTITIONER, Profession.HOUSING_OFFICER)
    colleague = factory.lead()
    family = factory.family(members=(visitor, colleague))
    factory.visit(family.id, visitor.id)
    police_name = _agency_name(live_app, officer)
    page.set_viewport_size(size)
    sign_in(page, family.lead.email)
    page.goto(f"/families/{family.id}/details")
    group = page.get_by_role("list", name="Core group members")
    expect(group.locator("li")).to_have_count(3)

    page.get_by_label("Add someone: their name or agency").fill(police_name)
    page.get_by_role("button", name="Find").click()
    found = page.get_by_role("list", name="People found").locator("li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Police officer")
    found.get_by_role("button", name=re.compile("^Add ")).click()
    expect(group.locator("li")).to_have_count(4)

    housing = group.locator("li").filter(has_text="Housing officer")
    housing.get_by_role("button", name=re.compile("^Remove ")).click()
    expect(housing).to_contain_text("They will no longer be able to open this family")
    if size is PHONE:
        check_phone_fit(page)
        check_accessibility(page, "core group")
    housing.get_by_role("button", name=re.compile("^Yes, remove ")).click()
    expect(group.locator("li")).to_have_count(3)
    hint = page.get_by_role("status").filter(has_text="Visiting, but nobody in the core group")
    expect(hint).to_contain_text("1 visit in the last 90 days")

    other = group.locator("li").filter(has_text="Social worker").filter(
        has_not=page.locator(".badge"))
    other.get_by_role("button", name=re.compile("^Make .* the lead$")).click()
    expect(group.locator("li").first.locator(".badge")).to_have_text("Lead")
    # The former lead no longer runs the group: no controls for them now.
    expect(page.get_by_role("button", name=re.compile("^Remove "))).to_have_count(0)

    page.get_by_role("link", name="Timeline").click()
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("li").first).to_contain_text("became the lead")
    expect(timeline).to_contain_text("left the core group")
    expect(timeline).to_contain_text("joined the core group")
    expect(timeline).to_contain_text(police_name)
    screenshot(page, output_dir, f"core-group-timeline-{'phone' if size is PHONE else 'laptop'}")
