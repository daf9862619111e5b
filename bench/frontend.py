"""Benchmark the phone app: what it downloads for its first screen, Lighthouse, and an offline sync.

    .venv/bin/python bench/frontend.py [--skip-lighthouse] [--visits 20] [--photos-per-visit 3]

1. First paint: index.html's scripts and styles and the modules they preload, gzipped
   (level 9), as a phone downloads them before the first screen. Target: JavaScript at most
   150 KB.
2. Lighthouse (frontend's devDependency, driving Debian's /usr/bin/chromium through
   CHROME_PATH, headless, mobile emulation with its default simulated slow 4G and CPU
   slow-down) against a server started as `make run` starts it (flask run in development
   mode on a fresh SQLite file, migrated, with the demo loaded): the sign-in screen and,
   signed in as the demo health visitor, My families and Record a visit. Targets: performance >= 90,
   accessibility >= 95, best practices >= 95.
3. Offline sync on loopback: a phone (Playwright, Chromium at 360 x 800 with touch) signed
   in, with no signal, holds VISITS visits with PHOTOS_PER_VISIT photos each in its outbox
   (2048 x 1536 JPEGs, as the phone makes them); the time from the signal coming back (the
   outbox sends by itself) until the outbox is empty is measured, then the server is
   checked to hold each visit exactly once with all its photos. Beside it, the same visits
   and photos are posted from Python one request after another (the floor: the server's
   own time, no browser).
   Reported: visits/s and photos/s for both, and the ratio.

Exit code 1 if something failed (a missed target is reported, exit code 0).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gzip
import http.cookiejar
import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402
from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

from tests.photos.pictures import scene  # noqa: E402

APP = REPO / "homelog" / "web" / "dist"
LIGHTHOUSE = REPO / "frontend" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("HOMELOG_CHROMIUM", "/usr/bin/chromium")
FLASK = [sys.executable, "-m", "flask", "--app", "homelog"]
EMAIL = "health.visitor@demo.homelog.test"
PASSWORD = "demo-homelog-2026"
JS_BUDGET = 150 * 1024
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}


# --- 1. first paint ------------------------------------------------------------------------

def first_paint() -> dict[str, int]:
    """Gzipped bytes of every asset index.html links to (scripts, styles, preloads)."""
    page = (APP / "index.html").read_text()
    linked = re.findall(r'(?:src|href)="/(assets/[^"]+)"', page)
    return {name: len(gzip.compress((APP / name).read_bytes(), compresslevel=9))
            for name in linked}


# --- the server, as `make run` starts it ----------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def make_run_server(folder: Path) -> Iterator[str]:
    """flask run in development mode on a fresh SQLite file with the demo loaded."""
    env = {**os.environ, "HOMELOG_ENV": "development", "HOMELOG_SMTP_HOST": "",
           "HOMELOG_DATABASE_URL": f"sqlite:///{folder / 'homelog.sqlite3'}",
           "HOMELOG_MEDIA_DIR": str(folder / "media"), "PYTHONPATH": str(REPO)}
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([*FLASK, *command], cwd=REPO, env=env, check=True,
                       capture_output=True, timeout=600)
    port = free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=REPO, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


class Client:
    """A signed-in HTTP client (cookies and the CSRF token), as the app is."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, object]:
        sent = {"Accept": "application/json", **(headers or {})}
        if self.csrf:
            sent["X-CSRF-Token"] = self.csrf
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers=sent)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def json(self, method: str, path: str, data: object, **headers: str) -> tuple[int, object]:
        return self.call(method, path, json.dumps(data).encode(),
                         {"Content-Type": "application/json", **headers})

    def sign_in(self) -> None:
        status, answer = self.json("POST", "/api/v1/session",
                                   {"email": EMAIL, "password": PASSWORD})
        assert status == 201, answer
        self.csrf = answer["csrf_token"]

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


# --- 2. Lighthouse ---------------------------------------------------------------------------

def lighthouse(url: str, folder: Path, name: str, cookie: str | None = None) -> dict[str, int]:
    """Lighthouse's category scores (0-100) for one page, mobile emulation."""
    report = folder / f"lighthouse-{name}.json"
    command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
               "--only-categories=performance,accessibility,best-practices",
               "--chrome-flags=--headless=new --no-sandbox --disable-background-networking "
               "--disable-dev-shm-usage --no-proxy-server"]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    subprocess.run(command, check=True, timeout=300, env={**os.environ, "CHROME_PATH": CHROMIUM},
                   capture_output=True)
    data = json.loads(report.read_text())
    scores = {key: round(category["score"] * 100) for key, category in data["categories"].items()}
    failing = [f"{audit['id']} ({audit['score']})" for audit in data["audits"].values()
               if audit.get("score") is not None and audit["score"] < 0.9
               and audit.get("scoreDisplayMode") in ("binary", "numeric")]
    scores["_failing"] = failing  # type: ignore[assignment]
    return scores


# --- 3. offline sync -------------------------------------------------------------------------

def phone_photos(count: int) -> list[bytes]:
    """JPEGs as the phone makes them: 2048 x 1536, quality 85, nothing but pixels."""
    photos = []
    for seed in range(count):
        out = io.BytesIO()
        image = scene(2048, 1536, seed=seed)
        # Sensor noise, so the file weighs what a phone's photo of a room does.
        noise = Image.effect_noise((2048, 1536), 40).convert("RGB")
        image = Image.blend(image.convert("RGB"), noise, 0.15)
        image.save(out, "JPEG", quality=85)
        photos.append(out.getvalue())
    return photos


def visit_body(minutes_ago: int, rubric: dict) -> dict:
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    return {"visited_at": when.isoformat(), "announced": False,
            "present": ["mother", "children_seen"], "rooms_seen": ["kitchen", "living_room"],
            "scores": {domain["key"]: 2 for domain in rubric["domains"]}, "concerns": [],
            "notes": "", "child_presentation": "", "rubric_version": rubric["version"]}


_QUEUE = """async ({ items, photos, userId }) => {
    const blobs = photos.map((text) => {
        const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
        return new Blob([bytes], { type: 'image/jpeg' });
    });
    const database = await new Promise((resolve, reject) => {
        const opening = indexedDB.open('homelog');
        opening.onsuccess = () => resolve(opening.result);
        opening.onerror = () => reject(opening.error);
    });
    const tx = database.transaction(['outbox', 'photos'], 'readwrite');
    const now = new Date().toISOString();
    for (const item of items) {
        tx.objectStore('outbox').put({ key: item.key, userId, familyId: item.familyId,
            familyReference: item.reference, body: item.body, form: null, queuedAt: now,
            state: 'waiting', visitId: null, attempts: 0, nextTryAt: 0, problem: null,
            lastTry: null });
        item.photoKeys.forEach((key, index) => tx.objectStore('photos').put({ key, userId,
            owner: item.key, domainKey: 'kitchen', room: null, caption: '', parentAgreed: true,
            blob: blobs[index % blobs.length], width: 2048, height: 1536, state: 'waiting',
            problem: null, addedAt: now }));
    }
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = reject; });
    database.close();
}"""


def sync_in_the_browser(base: str, plan: list[dict], photos: list[bytes]) -> float:
    """Seconds from the phone finding signal until its outbox is empty."""
    from playwright.sync_api import expect, sync_playwright

    args = ["--disable-background-networking", "--no-first-run", "--no-proxy-server",
            "--disable-quic"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        context = browser.new_context(base_url=base, viewport={"width": 360, "height": 800},
                                      has_touch=True, is_mobile=True, device_scale_factor=2)
        page = context.new_page()
        page.goto("/")
        page.get_by_label("Work email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").tap()
        expect(page.get_by_role("heading", name="My families")).to_be_visible()
        page.wait_for_function("""async () => (await indexedDB.databases())
            .some((found) => found.name === 'homelog')""")
        user_id = page.evaluate("() => fetch('/api/v1/session').then((r) => r.json())"
                                ".then((a) => a.user.id)")
        context.set_offline(True)
        page.evaluate(_QUEUE, {"items": plan, "userId": user_id,
                               "photos": [base64.b64encode(p).decode() for p in photos]})
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").tap()
        expect(page.get_by_text(f"{len(plan)} visits are waiting")).to_be_visible()
        started = time.perf_counter()
        context.set_offline(False)  # back in signal: the outbox sends by itself
        expect(page.get_by_text("Nothing waiting")).to_be_visible(timeout=600_000)
        elapsed = time.perf_counter() - started
        browser.close()
    return elapsed


def sync_from_python(client: Client, plan: list[dict], photos: list[bytes]) -> float:
    """The same visits and photos, one request after another, straight from Python."""
    started = time.perf_counter()
    for item in plan:
        status, visit = client.json("POST", f"/api/v1/families/{item['familyId']}/visits",
                                    item["body"], **{"Idempotency-Key": item["key"]})
        assert status == 201, visit
        for index, key in enumerate(item["photoKeys"]):
            form = {"file": FileStorage(io.BytesIO(photos[index % len(photos)]), "photo.jpg",
                                        content_type="image/jpeg"),
                    "domain_key": "kitchen", "caption": "", "parent_agreed": "true"}
            boundary, body = encode_multipart(form)
            status, answer = client.call(
                "POST", f"/api/v1/visits/{visit['id']}/photos", body,
                {"Content-Type": f"multipart/form-data; boundary={boundary}",
                 "Idempotency-Key": key})
            assert status == 201, answer
    return time.perf_counter() - started


def make_plan(client: Client, visits: int, photos_per_visit: int, start: int) -> list[dict]:
    """Visits to the health visitor's demo families, each with its keys, as the phone queues."""
    status, kit = client.call("GET", "/api/v1/offline-kit")
    assert status == 200, kit
    families = kit["families"]
    return [{"key": str(uuid.uuid4()), "familyId": families[n % len(families)]["id"],
             "reference": families[n % len(families)]["reference"],
             "body": visit_body(start + n, kit["rubric"]),
             "photoKeys": [str(uuid.uuid4()) for _ in range(photos_per_visit)]}
            for n in range(visits)]


def check_server(database: Path, plan: list[dict]) -> None:
    """Each planned visit exactly once, with all its photos."""
    keys = [item["key"] for item in plan]
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            f"SELECT v.idempotency_key, (SELECT count(*) FROM photo p WHERE p.visit_id = v.id) "
            f"FROM visit v WHERE v.idempotency_key IN ({','.join('?' * len(keys))})",
            keys).fetchall()
    found = dict(rows)
    assert len(rows) == len(plan) == len(found), f"{len(rows)} rows for {len(plan)} visits"
    expected = {item["key"]: len(item["photoKeys"]) for item in plan}
    assert found == expected, "photos missing on the server"


# --- the report --------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--photos-per-visit", type=int, default=3)
    parser.add_argument("--skip-lighthouse", action="store_true")
    options = parser.parse_args()
    if not (APP / "index.html").is_file():
        print("The app is not built: run `make frontend` (make bench does).")
        return 1

    sizes = first_paint()
    javascript = sum(size for name, size in sizes.items() if name.endswith(".js"))
    css = sum(size for name, size in sizes.items() if name.endswith(".css"))
    print("First paint (gzipped, level 9):")
    for name, size in sorted(sizes.items()):
        print(f"  {name:45} {size / 1024:7.1f} KB")
    print(f"  JavaScript {javascript / 1024:.1f} KB of {JS_BUDGET // 1024} KB: "
          f"{verdict(javascript <= JS_BUDGET)}; CSS {css / 1024:.1f} KB")

    with tempfile.TemporaryDirectory(prefix="homelog-bench-frontend-") as temp:
        folder = Path(temp)
        with make_run_server(folder) as base:
            client = Client(base)
            client.sign_in()
            if not options.skip_lighthouse:
                print("\nLighthouse (mobile emulation, simulated slow 4G):")
                _, kit = client.call("GET", "/api/v1/offline-kit")
                family_id = kit["families"][0]["id"]
                pages = [("sign-in", f"{base}/", None),
                         ("my-families", f"{base}/", client.cookie_header()),
                         ("record-visit", f"{base}/families/{family_id}/visits/new",
                          client.cookie_header())]
                for name, url, cookie in pages:
                    scores = lighthouse(url, folder, name, cookie)
                    failing = scores.pop("_failing")
                    line = ", ".join(f"{key} {value}" for key, value in scores.items())
                    misses = [key for key, target in TARGETS.items() if scores[key] < target]
                    print(f"  {name:12} {line}: "
                          f"{'meets the targets' if not misses else 'MISSES ' + ', '.join(misses)}")
                    if failing:
                        print(f"    audits below 0.9: {', '.join(failing)}")

            photos = phone_photos(3)
            count = options.visits * options.photos_per_visit
            print(f"\nOffline sync on loopback: {options.visits} visits, {count} photos "
                  f"({sum(map(len, photos)) // len(photos) // 1024} KB each on average)")
            floor_plan = make_plan(client, options.visits, options.photos_per_visit, 300)
            floor = sync_from_python(client, floor_plan, photos)
            check_server(folder / "homelog.sqlite3", floor_plan)
            phone_plan = make_plan(client, options.visits, options.photos_per_visit, 200)
            phone = sync_in_the_browser(base, phone_plan, photos)
            check_server(folder / "homelog.sqlite3", phone_plan)
            print(f"  phone outbox   {phone:6.2f} s  {options.visits / phone:6.2f} visits/s  "
                  f"{count / phone:6.2f} photos/s  (each visit once, every photo attached)")
            print(f"  Python, serial {floor:6.2f} s  {options.visits / floor:6.2f} visits/s  "
                  f"{count / floor:6.2f} photos/s  (the server's own time)")
            print(f"  phone / floor  {phone / floor:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
