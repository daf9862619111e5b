"""Capacity: the visits a second each profile sustains while p95 stays under 500 ms.

    .venv/bin/python bench/capacity.py [--steps 2,4,8,16,32] [--seconds 20]

Production profile (as `make prod-check` starts it: nginx over HTTPS, gunicorn with 4
workers, PostgreSQL as the app's role, photos in an S3-compatible store, on loopback)
and embedded profile (`make run`: the development server on SQLite), measured side by side
in one run. Simulated practitioners each sign in once, then repeat what a day's visit
costs the server: fetch their families, submit a visit, add two ~300 KB photos, read the
family's timeline. The number of practitioners rises step by step; each step runs for a
fixed time and reports visits completed per second and the p95 of every request's
latency. A profile's sustained rate is the best step whose p95 stayed under 500 ms.
Prints both ramps, both sustained rates and their ratio; docs/deploy.md's capacity plan is
built from these figures. Needs root on Debian (nginx), like `make prod-check`.

The load generator runs on the same machine as everything it measures, so the figures are
what one machine of this size holds with its own client competing for the CPU: a floor.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from flask import Flask  # noqa: E402

from homelog import create_app  # noqa: E402
from scripts.prod_check import deployment, free_port  # noqa: E402
from tests.factories import Factory, UserRef  # noqa: E402
from tests.reliability.live import Phone, new_key, visit_body  # noqa: E402
from tests.support.api_client import PASSWORD  # noqa: E402

P95_LIMIT_MS = 500.0
PER_FAMILY = 4
PHOTO_BYTES = 300_000


def photo(seed: int, target: int = PHOTO_BYTES) -> bytes:
    """A real JPEG of about `target` bytes (a phone's photo after the app shrinks it)."""
    rng = random.Random(seed)
    image = Image.effect_noise((1600, 1200), 40).convert("RGB")
    image = Image.blend(image, Image.new("RGB", image.size, (rng.randrange(256), 120, 90)), 0.6)
    for quality in (90, 80, 70, 60, 50, 40, 30):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= target * 1.15:
            break
    return out.getvalue()


@dataclass
class Step:
    practitioners: int
    seconds: float
    visits: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def visits_per_second(self) -> float:
        return self.visits / self.seconds

    @property
    def p95_ms(self) -> float:
        if len(self.latencies) < 2:
            return float("inf")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[94] * 1000


@dataclass
class Practitioner:
    user: UserRef
    family_id: int


def _people(app, count: int) -> list[Practitioner]:
    factory = Factory(app)
    lead = factory.lead()
    users = [factory.user() for _ in range(count)]
    people = []
    for start in range(0, count, PER_FAMILY):
        group = tuple(users[start:start + PER_FAMILY])
        family = factory.family(lead, group)
        people.extend(Practitioner(user, family.id) for user in group)
    return people


def _day_of_visits(phone: Phone, person: Practitioner, photos: list[bytes], until: float,
                   step: Step, lock: threading.Lock, seed: int) -> None:
    done, errors, seen = 0, 0, []
    while time.monotonic() < until:
        answers = [phone.get("/api/v1/families")]
        visit = phone.record_visit(person.family_id, visit_body(seed + done), new_key())
        answers.append(visit)
        if visit.status == 201:
            for index in range(2):
                answers.append(phone.add_photo(int(visit.body["id"]),
                                               photos[(seed + done + index) % len(photos)],
                                               new_key()))
        answers.append(phone.get(f"/api/v1/families/{person.family_id}/timeline"))
        errors += sum(answer.status >= 400 or answer.status == 0 for answer in answers)
        done += visit.status == 201
        seen.extend(answer.seconds for answer in answers)
    with lock:
        step.visits += done
        step.errors += errors
        step.latencies.extend(seen)


def ramp(base_url: str, verify: str | bool, people: list[Practitioner], steps: list[int],
         seconds: float) -> list[Step]:
    """Run each step in turn; stop after the first whose p95 passes the limit."""
    photos = [photo(seed) for seed in range(6)]
    phones: list[Phone] = []
    done: list[Step] = []
    for count in steps:
        while len(phones) < count:  # signed in before the step's clock starts
            phone = Phone(base_url)
            phone.http.trust_env = False  # no proxy or CA bundle from the environment
            phone.http.verify = verify
            phone.sign_in(people[len(phones)].user.email, PASSWORD)
            phones.append(phone)
        step, lock = Step(count, seconds), threading.Lock()
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=_day_of_visits, args=(
            phones[index], people[index], photos, until, step, lock, index * 100_000))
            for index in range(count)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        step.seconds = time.monotonic() - started
        done.append(step)
        print(f"  {count:>3} practitioners: {step.visits_per_second:6.2f} visits/s, "
              f"p95 {step.p95_ms:7.0f} ms, {len(step.latencies)} requests, "
              f"{step.errors} errors", flush=True)
        if step.p95_ms > P95_LIMIT_MS:
            break
    return done


def sustained(steps: list[Step]) -> Step | None:
    """The best step that kept p95 under the limit without errors."""
    fine = [step for step in steps if step.p95_ms <= P95_LIMIT_MS and not step.errors]
    return max(fine, key=lambda step: step.visits_per_second, default=None)


@contextmanager
def _environment(settings: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(settings)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _app(settings: dict[str, str]) -> Flask:
    with _environment(settings):
        return create_app({"TESTING": True})


def production(args: argparse.Namespace, work: Path) -> list[Step]:
    with deployment(work, workers=4, as_installed=False) as running:
        people = _people(_app(running.env), max(args.steps))
        return ramp(running.base_url, str(running.ca), people, args.steps, args.seconds)


@contextmanager
def embedded_server(work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The `make run` profile: SQLite, the development server (threaded), migrated."""
    port = free_port()
    settings = {"HOMELOG_ENV": "development",
                "HOMELOG_DATABASE_URL": f"sqlite:///{work / 'homelog.sqlite3'}",
                "HOMELOG_MEDIA_DIR": str(work / "media"),
                "HOMELOG_LOG_FORMAT": "text"}
    env = {**os.environ, **settings}
    flask = str(REPO / ".venv" / "bin" / "flask")
    subprocess.run([flask, "--app", "homelog", "db", "upgrade"], env=env, cwd=work, check=True,
                   capture_output=True)
    server = subprocess.Popen([flask, "--app", "homelog", "run", "--port", str(port)],
                              env=env, cwd=work, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Phone(base).get("/api/v1/health").status == 200:
                break
            time.sleep(0.3)
        yield base, settings
    finally:
        server.terminate()
        server.wait(timeout=30)


def embedded(args: argparse.Namespace, work: Path) -> list[Step]:
    with embedded_server(work) as (base, settings):
        people = _people(_app(settings), max(args.steps))
        return ramp(base, False, people, args.steps, args.seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="1,2,4,8,16",
                        type=lambda text: [int(part) for part in text.split(",")])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each step")
    args = parser.parse_args()
    results = {}
    for name, measure in (("production (nginx, gunicorn -w 4, PostgreSQL, object store)",
                           production), ("embedded (make run: development server, SQLite)",
                                         embedded)):
        print(f"== {name}", flush=True)
        with tempfile.TemporaryDirectory(prefix="homelog-capacity-") as folder:
            Path(folder).chmod(0o755)
            results[name] = sustained(measure(args, Path(folder)))
    prod, emb = results.values()
    for name, step in results.items():
        if step is None:
            print(f"{name}: no step kept p95 under {P95_LIMIT_MS:.0f} ms")
        else:
            print(f"{name}: sustains {step.visits_per_second:.2f} visits/s "
                  f"({step.practitioners} practitioners at once, p95 {step.p95_ms:.0f} ms)")
    if prod and emb:
        print(f"production / embedded: {prod.visits_per_second / emb.visits_per_second:.2f}x "
              "the sustained visits per second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
