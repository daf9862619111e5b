"""The outbox on a phone: visits recorded with no signal survive a reload and reach the server
exactly once; server failures are retried; sign-out waits for it and then leaves nothing
behind; another user of the same phone never sees it; a discard is on the record."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.screens import check_accessibility, screenshot, sign_in
from tests.browser.visiting import (
    audit_actions,
    camera_photo,
    go_offline,
    open_record_visit,
    phone_store,
    record_visit,
    server_visits,
)
from tests.browser.world import World, family_seen_by_two_agencies

SERVER_VISITS = 3  # family_seen_by_two_agencies records three


@pytest.fixture
def world(live_app, factory) -> World:
    return family_seen_by_two_agencies(factory)


def open_outbox(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").tap()
    expect(page.get_by_role("heading", name="Outbox", level=1)).to_be_visible()


def record_offline_from_my_families(page: Page, world: World, photos=(), **options) -> None:
    """With no signal: My families (from the phone), Record a visit, fill it in, send."""
    if page.url.rstrip("/") == page.url.split("/", 3)[0] + "//" + page.url.split("/")[2]:
        page.reload()  # opening the app in the home, with no signal
    else:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Families").tap()
    expect(page.get_by_text("No signal: these are your families")).to_be_visible()
    page.get_by_role("link", name=f"Record a visit to family {world.family.reference}").tap()
    record_visit(page, photos=photos, **options)
    expect(page.get_by_role("heading", name="Visit kept on this phone")).to_be_visible()


def test_offline_visits_survive_a_reload_and_reach_the_server_once(page, live_app, world,
                                                                    tmp_path, output_dir):
    sign_in(page, world.health_visitor.email)
    go_offline(page)
    record_offline_from_my_families(page, world, photos=(camera_photo(tmp_path, 1),
                                                         camera_photo(tmp_path, 2)))
    screenshot(page, output_dir, "record-visit-kept-offline")
    record_offline_from_my_families(page, world, photos=(camera_photo(tmp_path, 3),))

    page.reload()  # no signal: the app comes from the service worker, the outbox from IndexedDB
    expect(page.get_by_text("No signal: showing what this phone holds.")).to_be_visible()
    open_outbox(page)
    expect(page.get_by_text("2 visits are waiting to be sent.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="2 photos")).to_have_count(1)
    expect(page.get_by_role("listitem").filter(has_text="1 photo")).to_have_count(1)
    screenshot(page, output_dir, "outbox-waiting")
    check_accessibility(page, "outbox")
    assert len(server_visits(live_app, world.family.id)) == SERVER_VISITS
    queued = {item["key"] for item in phone_store(page, "outbox")}

    page.context.set_offline(False)  # the phone finds signal: the outbox sends by itself
    expect(page.get_by_text("Nothing waiting")).to_be_visible(timeout=20_000)
    visits = server_visits(live_app, world.family.id)[SERVER_VISITS:]
    assert {visit.key for visit in visits} == queued  # each exactly once, nothing else
    assert sorted(visit.photos for visit in visits) == [1, 2]
    assert phone_store(page, "photos") == []
    expect(page.get_by_role("button", name="Sync now")).to_be_disabled()


def test_a_failing_server_is_retried_and_nothing_is_lost(page, live_app, world, tmp_path):
    sign_in(page, world.health_visitor.email)
    failures = {"visit": 0, "photo": 0}

    def fail_visits(route: Route) -> None:
        failures["visit"] += 1
        route.fulfill(status=500, content_type="application/json",
                      body='{"error": {"code": "server_error", "message": "Went wrong."}}')

    def fail_photos_once(route: Route) -> None:
        if failures["photo"] == 0:
            failures["photo"] += 1
            route.fulfill(status=503, body="")
        else:
            route.continue_()

    page.route("**/api/v1/families/*/visits", fail_visits)
    page.route("**/api/v1/visits/*/photos", fail_photos_once)
    open_record_visit(page, world.family.id)
    record_visit(page, photos=(camera_photo(tmp_path, 7, size=(1200, 900)),))
    expect(page.get_by_role("heading", name="Visit kept on this phone")).to_be_visible()
    open_outbox(page)
    card = page.get_by_role("listitem").filter(has_text=world.family.reference)
    expect(card).to_contain_text("The server did not take it on the last try")
    for _ in range(50):  # the first retry comes after about two seconds, by itself
        if failures["visit"] >= 2:
            break
        page.wait_for_timeout(100)
    assert failures["visit"] >= 2
    assert len(server_visits(live_app, world.family.id)) == SERVER_VISITS
    assert len(phone_store(page, "outbox")) == 1 and len(phone_store(page, "photos")) == 1

    page.unroute("**/api/v1/families/*/visits")  # the server recovers
    page.get_by_role("button", name="Sync now").tap()
    expect(page.get_by_text("Nothing waiting")).to_be_visible(timeout=20_000)
    visits = server_visits(live_app, world.family.id)
    assert len(visits) == SERVER_VISITS + 1 and visits[-1].photos == 1
    assert failures["photo"] == 1


def test_sign_out_waits_for_the_outbox_then_leaves_nothing_behind(page, world, tmp_path,
                                                                  output_dir):
    sign_in(page, world.health_visitor.email)
    go_offline(page)
    record_offline_from_my_families(page, world, photos=(camera_photo(tmp_path, 4),))
    page.context.set_offline(False)
    page.route("**/api/v1/families/*/visits", lambda route: route.abort())  # still no luck
    page.get_by_role("button", name="Sign out").tap()
    refusal = page.get_by_role("alert").filter(has_text="You cannot sign out yet")
    expect(refusal).to_contain_text("1 visit is still on this phone, not sent")
    screenshot(page, output_dir, "sign-out-refused")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.unroute("**/api/v1/families/*/visits")
    open_outbox(page)
    page.get_by_role("button", name="Sync now").tap()
    expect(page.get_by_text("Nothing waiting")).to_be_visible(timeout=20_000)
    assert page.evaluate("async () => (await caches.keys()).length") > 0
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("async () => (await indexedDB.databases()).length") == 0
    assert page.evaluate("async () => (await caches.keys()).length") == 0

    # The next person signs in: the app shell is kept again, so it opens with no signal.
    sign_in(page, world.lead.email)
    page.wait_for_function("""async () => {
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            const urls = (await cache.keys()).map((request) => request.url);
            if (urls.some((url) => url.includes('/index.html'))) return true;
        }
        return false;
    }""", polling=200)
    # ...and the new person's offline kit, which carries the partnership's settings the app
    # opens with; with both kept, no signal is needed.
    go_offline(page)
    page.reload()
    expect(page.get_by_role("heading", name="My families")).to_be_visible()


def test_another_user_of_the_phone_never_sees_the_queue(page, live_app, world, factory):
    sign_in(page, world.health_visitor.email)
    go_offline(page)
    record_offline_from_my_families(page, world)
    [queued] = phone_store(page, "outbox")
    # The session ends while the phone has no signal (idle timeout, or signed out elsewhere).
    page.context.clear_cookies()
    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    sign_in(page, world.lead.email)  # a colleague on the same phone
    open_outbox(page)
    expect(page.get_by_text("Nothing waiting")).to_be_visible()
    expect(page.get_by_text(world.family.reference)).to_have_count(0)
    outbox_link = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Outbox"))
    expect(outbox_link.locator(".badge")).to_have_count(0)  # nothing waiting for this user
    page.wait_for_timeout(1000)
    assert len(server_visits(live_app, world.family.id)) == SERVER_VISITS  # not sent as them
    page.get_by_role("button", name="Sign out").tap()  # they have nothing waiting
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert [item["key"] for item in phone_store(page, "outbox")] == [queued["key"]]

    sign_in(page, world.health_visitor.email)  # the same practitioner again: it is sent
    open_outbox(page)
    expect(page.get_by_text("Nothing waiting")).to_be_visible(timeout=20_000)
    visits = server_visits(live_app, world.family.id)
    assert len(visits) == SERVER_VISITS + 1
    assert (visits[-1].key, visits[-1].author_id) == (queued["key"], world.health_visitor.id)


def test_a_lost_cause_is_discarded_on_the_record(page, live_app, world):
    sign_in(page, world.health_visitor.email)
    page.route("**/api/v1/families/*/visits", lambda route: route.fulfill(
        status=404, content_type="application/json",
        body='{"error": {"code": "not_found", "message": '
             '"No such family, or you are not in its core group."}}'))
    open_record_visit(page, world.family.id)
    record_visit(page)
    expect(page.get_by_role("alert").filter(has_text="not in its core group")).to_be_visible()
    open_outbox(page)
    card = page.get_by_role("listitem").filter(has_text=world.family.reference)
    card.get_by_role("button", name="Discard…").tap()
    card.get_by_label("Why is it being discarded?").fill("Removed from the core group.")
    card.get_by_role("button", name="Discard for good").tap()
    expect(page.get_by_text("was discarded, and that is on the record")).to_be_visible()
    expect(page.get_by_text("Nothing waiting")).to_be_visible()
    [entry] = audit_actions(live_app, "outbox.discard", world.health_visitor.id)
    assert entry.detail["reason"] == "Removed from the core group."
    assert entry.detail["last_problem"] == "No such family, or you are not in its core group."
    assert entry.family_id == world.family.id
    assert len(server_visits(live_app, world.family.id)) == SERVER_VISITS


@pytest.mark.in_process
def test_a_new_version_of_the_app_keeps_the_outbox_and_sends_it(page, live_app, app_build, world,
                                                                 tmp_path, monkeypatch):
    build = tmp_path / "build"  # a copy this test may change, as a deploy would
    shutil.copytree(app_build, build)
    monkeypatch.setitem(live_app.config, "HOMELOG_APP_DIR", str(build))
    sign_in(page, world.health_visitor.email)
    page.route("**/api/v1/families/*/visits", lambda route: route.fulfill(status=503, body=""))
    open_record_visit(page, world.family.id)
    record_visit(page, photos=(camera_photo(tmp_path, 8, size=(1600, 1200)),))
    expect(page.get_by_role("heading", name="Visit kept on this phone")).to_be_visible()
    [queued] = phone_store(page, "outbox")
    page.evaluate("() => navigator.serviceWorker.ready")

    with (build / "sw.js").open("a") as worker:
        worker.write("\n// the next version\n")  # a deploy: the worker's bytes change
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
    notice = page.get_by_role("status").filter(has_text="A new version of Homelog is ready.")
    expect(notice).to_be_visible()
    with page.expect_event("load"):
        notice.get_by_role("button", name="Update now").tap()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    open_outbox(page)  # the new version finds the outbox as it was
    expect(page.get_by_text("1 visit is waiting to be sent.")).to_be_visible()
    assert [item["key"] for item in phone_store(page, "outbox")] == [queued["key"]]
    assert len(phone_store(page, "photos")) == 1
    page.unroute("**/api/v1/families/*/visits")
    page.get_by_role("button", name="Sync now").tap()
    expect(page.get_by_text("Nothing waiting")).to_be_visible(timeout=20_000)
    visits = server_visits(live_app, world.family.id)
    assert len(visits) == SERVER_VISITS + 1
    assert (visits[-1].key, visits[-1].photos) == (queued["key"], 1)


_AGE_THE_OUTBOX = """async (hours) => {
    const database = await new Promise((resolve) => {
        const opening = indexedDB.open('homelog');
        opening.onsuccess = () => resolve(opening.result);
    });
    const store = database.transaction('outbox', 'readwrite').objectStore('outbox');
    await new Promise((resolve) => {
        store.openCursor().onsuccess = (event) => {
            const cursor = event.target.result;
            if (!cursor) { resolve(); return; }
            const queued = new Date(Date.now() - hours * 3600 * 1000).toISOString();
            cursor.update({ ...cursor.value, queuedAt: queued });
            cursor.continue();
        };
    });
    database.close();
}"""


def test_a_visit_waiting_more_than_a_day_is_flagged(page, world, output_dir):
    sign_in(page, world.health_visitor.email)
    page.route("**/api/v1/families/*/visits", lambda route: route.abort())  # no signal
    open_record_visit(page, world.family.id)
    record_visit(page)
    expect(page.get_by_role("heading", name="Visit kept on this phone")).to_be_visible()
    open_outbox(page)
    expect(page.get_by_text("waited more than 24 hours")).to_have_count(0)
    page.evaluate(_AGE_THE_OUTBOX, 25)  # as if recorded yesterday morning
    page.reload()
    expect(page.get_by_role("alert").filter(has_text="A visit has waited more than 24 hours")
           ).to_be_visible()
    card = page.get_by_role("listitem").filter(has_text=world.family.reference)
    expect(card).to_contain_text("(25 hours ago) — more than 24 hours")
    screenshot(page, output_dir, "outbox-old")


def test_a_visit_being_recorded_also_blocks_sign_out(page, world):
    sign_in(page, world.health_visitor.email)
    open_record_visit(page, world.family.id)
    page.get_by_label("Unannounced").tap()
    page.wait_for_timeout(400)  # kept on the phone
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("alert").filter(has_text="a visit you started recording")
           ).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert len(phone_store(page, "drafts")) == 1
