"""The rubric screen, at phone and laptop size: a file with problems is refused with each
problem on its own numbered line and nothing changes; a good file becomes the version in use
and is listed with who loaded it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from homelog.accounts.models import Profession, Role
from tests.browser.screens import check_accessibility, check_phone_fit, screenshot, sign_in
from tests.engine.support import at_days_ago
from tests.factories import unique
from tests.support.api_client import ApiClient

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
DEFAULT = Path(__file__).resolve().parents[2] / "homelog/rubric/data/default_rubric.json"


def _file(content: dict) -> dict:
    return {"name": "our-rubric.json", "mimeType": "application/json",
            "buffer": json.dumps(content, indent=2).encode()}


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_load_a_file_with_problems_then_a_good_one(page: Page, factory, output_dir, size):
    admin = factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR)
    page.set_viewport_size(size)
    sign_in(page, admin.email)
    page.goto("/admin/rubric")
    expect(page.get_by_role("heading", name="Rubric", level=1)).to_be_visible()
    in_use = page.get_by_role("region", name="Version").first
    expect(page.get_by_text("Kitchen and food hygiene").first).to_be_visible()

    broken = json.loads(DEFAULT.read_text())
    broken["domains"][0]["levels"]["6"] = broken["domains"][0]["levels"].pop("5")
    broken["domains"][1]["good_enough_level"] = 9
    form = page.get_by_role("form", name="Load a new version")
    form.get_by_label("Rubric file").set_input_files(_file(broken))
    form.get_by_role("button", name="Load this file").click()
    problems = page.get_by_role("list", name="Problems in the file")
    expect(problems.get_by_role("listitem")).to_have_count(2)
    expect(problems).to_contain_text("line 21: domain 'kitchen': level 6 is outside 1-5")
    expect(problems).to_contain_text("domain 'food': good-enough level: 9 is outside 1-5")
    if size is PHONE:
        check_phone_fit(page)
        check_accessibility(page, "rubric with a refused file")
        screenshot(page, output_dir, "admin-rubric-refused")

    good = json.loads(DEFAULT.read_text())
    good["name"] = unique("Our partnership's baseline")
    form.get_by_label("Rubric file").set_input_files(_file(good))
    form.get_by_role("button", name="Load this file").click()
    expect(form.get_by_role("status")).to_contain_text("is now in use")
    expect(problems).to_have_count(0)
    versions = page.get_by_role("list", name="Rubric versions")
    newest = versions.get_by_role("listitem").first
    expect(newest).to_contain_text("(in use)")
    expect(newest).to_contain_text(good["name"])
    expect(newest).to_contain_text("by Test administrator")
    expect(in_use).to_contain_text(good["name"])
    if size is LAPTOP:
        screenshot(page, output_dir, "admin-rubric-loaded")


def test_someone_not_an_administrator_cannot_open_it(page: Page, factory):
    sign_in(page, factory.user().email)
    page.goto("/admin/rubric")
    expect(page.get_by_role("heading", name="Rubric", level=1)).to_have_count(0)
    expect(page.get_by_role("button", name="Load this file")).to_have_count(0)


def test_after_a_rename_an_old_visit_keeps_its_own_words(page: Page, live_app, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    visit_id = factory.visit(family.id, practitioner.id, at_days_ago(3), {"kitchen": 4})
    renamed = json.loads(DEFAULT.read_text())
    renamed["domains"][0] |= {"key": "cooking", "name": "Cooking", "continues": ["kitchen"]}
    back = json.loads(DEFAULT.read_text())
    back["domains"][0]["continues"] = ["cooking"]
    admin = ApiClient(live_app)
    admin.sign_in(factory.user(Role.ADMINISTRATOR, Profession.SYSTEM_ADMINISTRATOR).email)
    assert admin.post("/api/v1/rubric/versions",
                      json={"text": json.dumps(renamed)}).status_code == 201
    try:
        sign_in(page, family.lead.email)
        page.goto(f"/families/{family.id}")
        expect(page.get_by_text("Kitchen and food hygiene: 4 (concern)")).to_be_visible()
        page.goto(f"/visits/{visit_id}")
        expect(page.get_by_text("Scored with an earlier version")).to_be_visible()
        expect(page.get_by_text("4: Ingrained dirt, rotting food")).to_be_visible()
        expect(page.get_by_text("Kitchen and food hygiene").first).to_be_visible()
    finally:
        assert admin.post("/api/v1/rubric/versions",
                          json={"text": json.dumps(back)}).status_code == 201
