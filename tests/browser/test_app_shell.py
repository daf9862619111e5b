"""The installable app: manifest, the service worker's precache, no family data in any
cache, opening with no signal, and the notice when a new version is ready."""

from __future__ import annotations

import gzip
import json
import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from tests.browser.screens import sign_in
from tests.browser.world import family_seen_by_two_agencies

_CACHED_URLS = """async () => {
    const found = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) found.push(request.url);
    }
    return found;
}"""


def _controlled(page: Page) -> None:
    """Waits until the service worker is active and controls the page."""
    page.evaluate("() => navigator.serviceWorker.ready")
    if not page.evaluate("() => Boolean(navigator.serviceWorker.controller)"):
        page.reload()
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")


def test_the_manifest_makes_the_app_installable(page, live_server):
    page.goto("/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = json.loads(page.request.get(href).text())
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"),
            ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        answer = page.request.get(icon["src"])
        assert answer.ok and answer.headers["content-type"] == "image/png"


def test_the_shell_is_precached_and_no_api_answer_is_kept(page, context, live_app, factory):
    world = family_seen_by_two_agencies(factory, photos=True)
    sign_in(page, world.lead.email)
    _controlled(page)
    for tab in ("", "/charts", "/photos", "/concerns"):
        page.goto(f"/families/{world.family.id}{tab}")
        expect(page.get_by_role("heading", name=f"Family {world.family.reference}")).to_be_visible()
    page.wait_for_load_state("networkidle")
    cached = [url.split("?")[0] for url in page.evaluate(_CACHED_URLS)]
    assert any(url.endswith("/index.html") for url in cached), cached
    assert any("/assets/chartjs-" in url for url in cached), cached  # lazy parts too
    family_data = [url for url in cached if "/api/" in url]
    assert not family_data, f"API answers kept in a cache: {family_data}"

    context.set_offline(True)
    page.reload()  # no signal: the app itself still opens
    expect(page.locator("#app h1")).to_be_visible()
    assert "Homelog" in page.title()


@pytest.fixture
def own_build(live_app, app_build, tmp_path, monkeypatch):
    """A copy of the build this test may change, as a deploy would."""
    folder = tmp_path / "build"
    shutil.copytree(app_build, folder)
    monkeypatch.setitem(live_app.config, "HOMELOG_APP_DIR", str(folder))
    return folder


@pytest.mark.in_process
def test_a_new_version_is_announced_and_applied_on_request(page, factory, own_build):
    user = factory.user()
    sign_in(page, user.email)
    _controlled(page)
    with (own_build / "sw.js").open("a") as worker:
        worker.write("\n// the next version\n")  # a deploy: the worker's bytes change
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
    notice = page.get_by_role("status").filter(has_text="A new version of Homelog is ready.")
    expect(notice).to_be_visible()
    assert page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")
    with page.expect_event("load"):
        notice.get_by_role("button", name="Update now").tap()
    expect(page.get_by_role("heading", name="My families")).to_be_visible()
    expect(page.get_by_text("A new version of Homelog is ready.")).to_have_count(0)
    # The waiting version took over: nothing waits any more, and it controls the page.
    assert page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => !r.waiting)")
    assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")


def test_first_paint_stays_within_the_javascript_budget(app_build):
    """What a phone downloads before the first screen (index.html's scripts and styles and
    the modules they preload), gzipped: at most 150 KB of JavaScript."""
    page = (app_build / "index.html").read_text()
    linked = re.findall(r'(?:src|href)="/(assets/[^"]+)"', page)
    sizes = {name: len(gzip.compress((app_build / name).read_bytes(), compresslevel=9))
             for name in linked}
    javascript = sum(size for name, size in sizes.items() if name.endswith(".js"))
    assert any(name.endswith(".css") for name in sizes), sizes
    assert 0 < javascript <= 150 * 1024, sizes
