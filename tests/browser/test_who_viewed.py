"""Who has viewed this family, on a 360 px phone: every access in plain words, filtered by
person, paged through, with touch targets of at least 44 px and nothing wider than the screen."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from homelog.audit.services import Actor, record
from homelog.extensions import db
from tests.browser.screens import check_accessibility, check_phone_fit, screenshot, sign_in


def _views(app, family, user, count):
    with app.app_context():
        for _ in range(count):
            record(Actor(user.id, user.agency_id), "timeline.view", basis="core_group_member",
                   family_id=family.id, target_type="family", target_id=family.id)
        db.session.commit()


def test_the_lead_reads_who_has_viewed_on_a_phone(page: Page, live_app, factory, output_dir):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    _views(live_app, family, practitioner, 60)  # more than one page
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, family.lead.email)
    page.goto(f"/families/{family.id}")
    page.get_by_role("link", name="Who has viewed this family").tap()
    expect(page.get_by_role("heading", name="Who has viewed this family", level=2)
           ).to_be_visible()
    cards = page.locator("ul.viewings > li")
    expect(cards.first).to_contain_text("Opened the family")  # the lead's own look just now
    expect(page.get_by_text("Opened the timeline").first).to_be_visible()
    expect(page.get_by_text("On what basis: Core group").first).to_be_visible()
    expect(cards).to_have_count(50)

    older = page.get_by_role("button", name="Show older")
    older.tap()
    expect(cards.last).to_contain_text("Added the family to Homelog")  # the oldest
    assert cards.count() > 60
    expect(older).to_have_count(0)

    page.get_by_label("Show").select_option(label=page.locator("select option").filter(
        has_text="Test practitioner").first.inner_text())
    expect(cards).to_have_count(50)
    for text in cards.all_inner_texts():
        assert "Test practitioner" in text

    check_phone_fit(page)
    check_accessibility(page, "who has viewed")
    screenshot(page, output_dir, "who-viewed")


def test_a_practitioner_has_no_way_to_it(page: Page, factory):
    practitioner = factory.user()
    family = factory.family(members=(practitioner,))
    sign_in(page, practitioner.email)
    page.goto(f"/families/{family.id}")
    expect(page.get_by_role("heading", name=f"Family {family.reference}")).to_be_visible()
    expect(page.get_by_role("link", name="Who has viewed this family")).to_have_count(0)
