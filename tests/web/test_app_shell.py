"""The phone app's files, served at "/" next to the API (the non-API routes)."""

from __future__ import annotations

from pathlib import Path

import pytest

ASSET = "assets/index-abc123.js"


@pytest.fixture
def built(app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small stand-in for the build, so these tests need no npm (the browser tests use
    the real one)."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "icons").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Homelog</title>")
    (tmp_path / ASSET).write_text("console.log('app');")
    (tmp_path / "sw.js").write_text("// service worker")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Homelog"}')
    (tmp_path / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.setitem(app.config, "HOMELOG_APP_DIR", str(tmp_path))
    return tmp_path


def test_the_app_is_served_at_the_root_and_always_revalidated(client, built):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"<title>Homelog</title>" in response.data
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_app_keeps_the_strict_content_security_policy(client, built):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["style-src"] == "'self'"
    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
    assert directives["img-src"] == "'self' blob: data:"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("path", ["/families/12", "/inbox", "/families/3/visits/new"])
def test_screens_of_the_app_open_the_app(client, built, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"<title>Homelog</title>" in response.data
    assert response.headers["Cache-Control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(client, built):
    response = client.get(f"/{ASSET}")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_service_worker_and_manifest_are_never_stale(client, built):
    worker = client.get("/sw.js")
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.headers["Cache-Control"] == "no-cache"


def test_icons_are_served_as_images(client, built):
    response = client.get("/icons/icon-192.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"


def test_a_missing_file_is_404_not_the_app(client, built):
    response = client.get("/assets/index-old.js")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_api_addresses_stay_json_404s(client, built, method):
    for path in ("/api/v1/no-such-thing", "/api/nothing", "/api"):
        response = client.http.open(path, method=method)
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "not_found"
        assert "<title>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/..%2fsecret.txt", "/assets/..%2f..%2fsecret.txt",
                                  "/%2e%2e/secret.txt"])
def test_nothing_outside_the_build_is_served(client, built, path):
    (built.parent / "secret.txt").write_text("not for the web")
    response = client.get(path)
    assert b"not for the web" not in response.data


def test_an_unbuilt_app_says_so(client, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "HOMELOG_APP_DIR", str(tmp_path / "missing"))
    response = client.get("/")
    assert response.status_code == 503
    assert "make setup" in response.json["error"]["message"]
    assert client.get("/api/v1/openapi.json").status_code == 200  # the API is unaffected
