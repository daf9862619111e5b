"""A deployment as a phone meets it (`make prod-check`): nginx over HTTPS in front of
gunicorn, with HSTS, the CSP, secure cookies and the service worker in force."""

from __future__ import annotations

import os
import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEPLOYMENT
from tests.browser.screens import sign_in

pytestmark = pytest.mark.deployment
CA = os.environ.get("HOMELOG_E2E_CA", "")
PLAIN_HTTP = os.environ.get("HOMELOG_E2E_HTTP_URL", "")


def _get(path: str, **kwargs) -> requests.Response:
    return requests.get(f"{DEPLOYMENT}{path}", verify=CA, timeout=30, **kwargs)


def test_pages_are_https_only_with_the_security_headers():
    shell = _get("/")
    assert shell.status_code == 200
    assert shell.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in shell.headers["Content-Security-Policy"]
    assert shell.headers["Cache-Control"] == "no-cache"
    assert re.fullmatch(r"[0-9a-f]{32}", shell.headers["X-Request-Id"])  # nginx's id
    assert _get("/sw.js").headers["Cache-Control"] == "no-cache"
    redirected = requests.get(f"{PLAIN_HTTP}/families", allow_redirects=False, timeout=30)
    assert redirected.status_code == 301
    assert redirected.headers["Location"].startswith("https://")


def test_hashed_assets_come_from_nginx_with_a_years_cache():
    shell = _get("/").text
    asset = re.search(r'(/assets/[^"]+\.js)"', shell).group(1)
    answer = _get(asset)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "X-Request-Id" not in answer.headers  # nginx answered, not the app
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_metrics_are_not_served_through_the_proxy_and_oversized_bodies_are_refused():
    assert _get("/metrics").status_code == 404
    too_big = requests.post(f"{DEPLOYMENT}/api/v1/session", data=b"x" * (26 * 1024 * 1024),
                            headers={"Content-Type": "application/json"}, verify=CA,
                            timeout=60)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "too_large"


def test_signing_in_sets_a_secure_cookie_and_the_service_worker_takes_over(page: Page,
                                                                           factory) -> None:
    user = factory.user()
    sign_in(page, user.email)
    [cookie] = [c for c in page.context.cookies() if c["name"].startswith("homelog")]
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    expect(page.get_by_role("heading", name="My families", level=1)).to_be_visible()
    controlled = page.evaluate("() => navigator.serviceWorker.controller !== null")
    assert controlled, "the service worker does not control the page"
    ready = page.evaluate("async () => (await fetch('/api/v1/ready')).status")
    assert ready == 200
