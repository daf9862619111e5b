"""Serves the built app shell: hashed assets cached for a year, the pages and the service
worker never cached without asking (so a new version reaches phones), and every address
that is not a file, nor under /api/, answered with index.html for the app's own router."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, send_file
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from homelog.core.errors import ApiError, not_found

APP_DIR = Path(__file__).resolve().parent / "dist"  # where `npm run build` writes
INDEX = "index.html"
# Vite names every file under assets/ by a hash of its content: a changed file is a new name.
_IMMUTABLE = "public, max-age=31536000, immutable"
# The service worker, the manifest and the pages: always ask the server whether they changed.
_REVALIDATE = "no-cache"
_NEVER_STALE = {INDEX, "sw.js", "manifest.webmanifest"}
_OTHER = "public, max-age=86400"  # icons: rarely change, not hashed
# Stated rather than guessed: with nosniff, a script or manifest sent with the wrong type
# is refused by the browser.
# (Flask adds "; charset=utf-8" to the text types.)
_TYPES = {".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript",
          ".css": "text/css",
          ".webmanifest": "application/manifest+json", ".json": "application/json",
          ".png": "image/png", ".svg": "image/svg+xml", ".ico": "image/x-icon",
          ".woff2": "font/woff2"}

bp = Blueprint("web", __name__)


class AppPathConverter(PathConverter):
    """Any path outside /api/: addresses under the API keep the API's own 404 and 405."""

    regex = r"(?!api(?:/|$))[^/].*?"


def init_web(app: Flask) -> None:
    """Serve the app shell at "/" (call after the API is registered)."""
    app.config.setdefault("HOMELOG_APP_DIR", str(APP_DIR))
    app.url_map.converters["app_path"] = AppPathConverter
    app.register_blueprint(bp)


def _app_dir() -> Path:
    folder = Path(current_app.config["HOMELOG_APP_DIR"])
    if not (folder / INDEX).is_file():
        raise ApiError(503, "app_not_built",
                       "The app has not been built on this server (run `make setup`).")
    return folder


def _send(folder: Path, name: str) -> Response:
    path = folder / name
    response = send_file(path, mimetype=_TYPES.get(path.suffix), conditional=True, etag=True,
                         max_age=None)
    if name.startswith("assets/"):
        response.headers["Cache-Control"] = _IMMUTABLE
    elif name in _NEVER_STALE:
        response.headers["Cache-Control"] = _REVALIDATE
    else:
        response.headers["Cache-Control"] = _OTHER
    return response


@bp.get("/")
def app_shell() -> Response:
    """The app itself."""
    return _send(_app_dir(), INDEX)


@bp.get("/<app_path:path>")
def app_file(path: str) -> Response:
    """A file of the build, or else a screen of the app (its router shows which)."""
    folder = _app_dir()
    found = safe_join(str(folder), path)
    if found is not None and Path(found).is_file():
        return _send(folder, path)
    if "." in path.rsplit("/", 1)[-1]:
        raise not_found()  # a missing file (an old asset name), not a screen
    return _send(folder, INDEX)
