"""API throughput benchmark: gunicorn (2 workers) driven by wrk on loopback.

    .venv/bin/python bench/api.py [--databases sqlite,postgresql] [--duration 12] [--rounds 3]
                                  [--connections 8] [--threads 2] [--json results.json]

For each database: seed 1,000 families x 60 visits (bench/seed.py), serve the app
with `gunicorn -w 2 wsgi:app`, sign in as the bench user, then run wrk against
(1) GET /api/v1/health, the trivial JSON endpoint that is the yardstick,
(2) GET /api/v1/families/{id}/timeline (first page, random family each request),
(3) POST /api/v1/families/{id}/visits (valid visit, fresh Idempotency-Key each time),
taking turns in rounds (health, timeline, visits, health, ...), and print requests/s,
p50 and p95 latency and each endpoint's throughput as a ratio of the trivial
endpoint's in the same run. Targets: timeline >= 0.20, visits >= 0.15.

Any non-2xx answer, socket error, replayed (200) submission, or a request that did
not write its audit entry makes the run invalid: it is reported and the exit code is
1. Missing the targets is only reported (exit code 0). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LUA = Path(__file__).resolve().parent / "homelog.lua"
TARGETS = {"timeline": 0.20, "visit": 0.15}
LABELS = {
    "health": "GET  /health (trivial)",
    "timeline": "GET  /families/{id}/timeline",
    "visit": "POST /families/{id}/visits",
}


class BenchError(RuntimeError):
    """The benchmark could not produce a valid measurement."""


@dataclass
class Measurement:
    mode: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    ok: int
    created: int
    non2xx: int
    socket_errors: int
    audit_rows: int = 0
    db_visits: int = 0
    server_cpu: float = 0.0  # seconds of CPU used by gunicorn and the database server
    db_cpu: float = 0.0  # of which the database server (PostgreSQL; SQLite runs in gunicorn)
    client_cpu: float = 0.0  # seconds of CPU used by wrk

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def server_cpu_ms(self) -> float:
        return 1000 * self.server_cpu / self.requests if self.requests else 0.0

    def per_request_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.requests if self.requests else 0.0

    @property
    def total_cpu_ms(self) -> float:
        return 1000 * (self.server_cpu + self.client_cpu) / self.requests if self.requests else 0.0


@dataclass
class DatabaseResult:
    database: str
    seed_seconds: float
    measurements: dict[str, Measurement] = field(default_factory=dict)
    rounds: dict[str, list[Measurement]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def round_ratios(self, mode: str) -> list[float]:
        """The endpoint's throughput over /health's, round by round."""
        return [m.rps / base.rps if base.rps else 0.0
                for m, base in zip(self.rounds[mode], self.rounds["health"], strict=True)]


def combine(mode: str, rounds: list[Measurement]) -> Measurement:
    """One endpoint's rounds taken together: counts and CPU summed, latencies the median."""
    total = Measurement(mode=mode, requests=0, seconds=0.0, p50_ms=0.0, p95_ms=0.0,
                        p99_ms=0.0, ok=0, created=0, non2xx=0, socket_errors=0)
    for m in rounds:
        for name in ("requests", "seconds", "ok", "created", "non2xx", "socket_errors",
                     "audit_rows", "db_visits", "server_cpu", "db_cpu", "client_cpu"):
            setattr(total, name, getattr(total, name) + getattr(m, name))
    for name in ("p50_ms", "p95_ms", "p99_ms"):
        setattr(total, name, statistics.median(getattr(m, name) for m in rounds))
    return total


# --- processes -------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds incl. reaped children) of a process, from /proc."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return int(fields[1]), (utime + stime + cutime + cstime) / _TICK


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by these processes and all their descendants (Linux only).

    CPU time, unlike throughput, hardly depends on what else the machine is doing,
    so it gives a second, steadier view of what each request costs.
    """
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None:
                stats[int(entry.name)] = found
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, stack, seen = 0.0, list(roots), set()
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += stats[pid][1]
        stack.extend(children.get(pid, []))
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(database_url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "HOMELOG_ENV": "development",
        "HOMELOG_DATABASE_URL": database_url,
        "HOMELOG_SECRET_KEY": secrets.token_urlsafe(32),
        "HOMELOG_COOKIE_SECURE": "0",
        "HOMELOG_MEDIA_DIR": str(workdir / "media"),
    })
    return env


def _seed(database_url: str, workdir: Path, families: int, visits: int) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "seed.py"), database_url, "--json",
         "--families", str(families), "--visits", str(visits)],
        cwd=REPO, env=_server_env(database_url, workdir), capture_output=True, text=True,
        timeout=600,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("SEED_RESULT "):
            return json.loads(line[len("SEED_RESULT "):])
    raise BenchError(f"seeding failed (exit {completed.returncode}):\n"
                     f"{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}")


def _has_option(program: str, option: str) -> bool:
    completed = subprocess.run([program, "--help"], capture_output=True, text=True, timeout=30)
    return option in completed.stdout


class Gunicorn:
    def __init__(self, database_url: str, workdir: Path, workers: int) -> None:
        self.port = _free_port()
        self.log = workdir / "gunicorn.log"
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn) if gunicorn.exists() else "gunicorn",
                   "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                   "--backlog", "256", "--timeout", "60", "wsgi:app"]
        if _has_option(command[0], "--no-control-socket"):  # gunicorn >= 27
            command.insert(1, "--no-control-socket")
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(
            command, cwd=REPO, env=_server_env(database_url, workdir),
            stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited:\n{self.tail()}")
            try:
                status, _, _ = request("127.0.0.1", self.port, "GET", "/api/v1/health")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer within {timeout}s:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the gunicorn master stops its own workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log_file.close()


# --- HTTP ------------------------------------------------------------------------------------

def request(host: str, port: int, method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = dict(headers or {})
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        raw_headers = response.getheaders()
        data = response.read()
        return response.status, _join_headers(raw_headers), data
    finally:
        connection.close()


def _join_headers(raw: list[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in raw:
        key = name.lower()
        joined[key] = f"{joined[key]}\n{value}" if key in joined else value
    return joined


def sign_in(port: int, email: str, password: str) -> tuple[str, str]:
    """POST /api/v1/session; returns (cookie header value, csrf token)."""
    status, headers, data = request("127.0.0.1", port, "POST", "/api/v1/session",
                                    {"email": email, "password": password})
    if status != 201:
        raise BenchError(f"sign-in answered {status}: {data[:500]!r}")
    for line in headers.get("set-cookie", "").split("\n"):
        name, _, rest = line.partition("=")
        if name.strip() == "homelog_session":
            return f"homelog_session={rest.split(';', 1)[0]}", json.loads(data)["csrf_token"]
    raise BenchError(f"sign-in set no homelog_session cookie: {headers}")


def visit_body(rubric: dict[str, Any]) -> dict[str, Any]:
    """A valid visit two hours ago: every domain scored 1-3 (so no note is required)."""
    visited_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    domains = [domain["key"] for domain in rubric["domains"]]
    rooms = [room["key"] for room in rubric.get("rooms", [])]
    return {
        "visited_at": visited_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "announced": False,
        "present": ["mother", "children_seen"],
        "rooms_seen": rooms[:4],
        "scores": {key: (index % 3) + 1 for index, key in enumerate(domains)},
        "concerns": [],
        "notes": "",
    }


def _rubric(port: int, cookie: str) -> dict[str, Any]:
    status, _, data = request("127.0.0.1", port, "GET", "/api/v1/rubric",
                              headers={"Cookie": cookie})
    if status != 200:
        raise BenchError(f"GET /api/v1/rubric answered {status}: {data[:500]!r}")
    return json.loads(data)


def preflight(port: int, cookie: str, csrf: str, family_id: int, body: dict[str, Any]) -> None:
    """One request of each kind by hand, so a broken endpoint fails with its own message."""
    status, _, data = request("127.0.0.1", port, "GET",
                              f"/api/v1/families/{family_id}/timeline",
                              headers={"Cookie": cookie})
    if status != 200:
        raise BenchError(f"timeline preflight answered {status}: {data[:800]!r}")
    items = json.loads(data).get("items", [])
    if len(items) != 20:
        raise BenchError(f"timeline preflight returned {len(items)} items, expected 20")
    status, _, data = request(
        "127.0.0.1", port, "POST", f"/api/v1/families/{family_id}/visits", body,
        headers={"Cookie": cookie, "X-CSRF-Token": csrf, "Idempotency-Key": str(uuid.uuid4())},
    )
    if status != 201:
        raise BenchError(f"visit preflight answered {status}: {data[:800]!r}")


# --- database counters (to check that every request did its work) ---------------------------

class Counter:
    def __init__(self, database_url: str) -> None:
        from sqlalchemy import create_engine

        from homelog.config import normalise_database_url

        self.engine = create_engine(normalise_database_url(database_url))

    def counts(self) -> tuple[int, int]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            audit = conn.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
            visits = conn.execute(text("SELECT count(*) FROM visit")).scalar_one()
        return int(audit), int(visits)

    def settled(self, limit: float = 30.0) -> tuple[int, int]:
        """The counts once requests still queued after wrk stopped have been answered."""
        deadline = time.monotonic() + limit
        previous = self.counts()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            current = self.counts()
            if current == previous:
                return current
            previous = current
        raise BenchError("the server was still writing 30 s after wrk stopped")

    def close(self) -> None:
        self.engine.dispose()


# --- wrk -------------------------------------------------------------------------------------

def run_wrk(wrk: str, port: int, mode: str, args: argparse.Namespace, cookie: str, csrf: str,
            families: tuple[int, int], body: str, duration: float,
            app_pids: list[int] | None = None, db_pids: list[int] | None = None
            ) -> Measurement:
    command = [
        wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{duration:g}s",
        "--timeout", "30s", "-H", f"Cookie: {cookie}", "-H", f"X-CSRF-Token: {csrf}",
        "-s", str(LUA), f"http://127.0.0.1:{port}",
        "--", mode, str(families[0]), str(families[1]), str(random.randrange(1, 2**30)), body,
    ]
    app_before, db_before = tree_cpu(app_pids or []), tree_cpu(db_pids or [])
    client_before = _children_cpu()
    completed = subprocess.run(command, capture_output=True, text=True,
                               timeout=duration + 120)
    client_cpu = _children_cpu() - client_before
    app_cpu = tree_cpu(app_pids or []) - app_before
    db_cpu = tree_cpu(db_pids or []) - db_before
    line = next((line for line in completed.stdout.splitlines()
                 if line.startswith("WRK_RESULT ")), None)
    if completed.returncode != 0 or line is None:
        raise BenchError(f"wrk failed (exit {completed.returncode}):\n"
                         f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")
    data = json.loads(line[len("WRK_RESULT "):])
    measurement = Measurement(
        mode=mode, requests=data["requests"], seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000, p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000, ok=data["ok"], created=data["created"],
        non2xx=data["non2xx"],
        socket_errors=sum(v for k, v in data["errors"].items() if k != "status"),
        server_cpu=app_cpu + db_cpu, db_cpu=db_cpu, client_cpu=client_cpu,
    )
    if measurement.non2xx or measurement.socket_errors:
        raise BenchError(
            f"{LABELS[mode]}: {measurement.non2xx} non-2xx answers and "
            f"{measurement.socket_errors} socket errors in {measurement.requests} requests "
            f"(errors {data['errors']}); first bad answer: {data['first_bad']}"
        )
    return measurement


# --- one database ----------------------------------------------------------------------------

def bench_database(name: str, database_url: str, workdir: Path, wrk: str,
                   args: argparse.Namespace, db_pids: list[int]) -> DatabaseResult:
    print(f"\n== {name}: seeding {args.families} families x {args.visits} visits ...",
          flush=True)
    seeded = _seed(database_url, workdir, args.families, args.visits)
    ids = seeded["family_ids"]
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise BenchError("seeded family ids are not contiguous; the wrk script needs a range")
    print(f"   seeded {len(ids)} families, {seeded['visits']} visits, {seeded['events']} "
          f"events, {seeded['audit_entries']} audit entries in {seeded['seconds']}s", flush=True)
    result = DatabaseResult(name, seeded["seconds"])
    server = Gunicorn(database_url, workdir, args.workers)
    counter = Counter(database_url)
    try:
        cookie, csrf = sign_in(server.port, seeded["email"], seeded["password"])
        body = visit_body(_rubric(server.port, cookie))
        preflight(server.port, cookie, csrf, ids[0], body)
        body_json = json.dumps(body, separators=(",", ":"))
        families = (ids[0], ids[-1])
        modes = ("health", "timeline", "visit")
        if args.warmup > 0:
            for mode in modes:
                run_wrk(wrk, server.port, mode, args, cookie, csrf, families, body_json,
                        args.warmup)
        # The endpoints take turns, round after round, so that a change in what else the
        # machine is doing falls on all three alike instead of on whichever ran then.
        result.rounds = {mode: [] for mode in modes}
        for _ in range(args.rounds):
            for mode in modes:
                audit_before, visits_before = counter.settled()
                measurement = run_wrk(wrk, server.port, mode, args, cookie, csrf, families,
                                      body_json, args.duration / args.rounds,
                                      [server.process.pid], db_pids)
                audit_after, visits_after = counter.settled()
                measurement.audit_rows = audit_after - audit_before
                measurement.db_visits = visits_after - visits_before
                result.rounds[mode].append(measurement)
                result.problems.extend(_work_problems(measurement, args.connections))
        for mode in modes:
            m = result.measurements[mode] = combine(mode, result.rounds[mode])
            print(f"   {LABELS[mode]:<30} {m.rps:8.1f} req/s  "
                  f"p50 {m.p50_ms:7.2f} ms  p95 {m.p95_ms:7.2f} ms  "
                  f"CPU/req: app {m.per_request_ms(m.server_cpu - m.db_cpu):.2f} ms, "
                  f"db {m.per_request_ms(m.db_cpu):.2f}, wrk {m.per_request_ms(m.client_cpu):.2f}",
                  flush=True)
    except BenchError:
        print(f"--- gunicorn log (tail) ---\n{server.tail()}", file=sys.stderr)
        raise
    finally:
        counter.close()
        server.stop()
    return result


def _work_problems(m: Measurement, connections: int) -> list[str]:
    """Requests wrk counted must match what the database shows (audit rows, new visits).

    wrk stops counting at the deadline while up to `connections` requests are still in
    flight, so the database may show up to that many more.
    """
    problems = []
    if m.mode == "timeline" and not m.ok <= m.audit_rows <= m.ok + connections:
        problems.append(f"timeline: {m.ok} answers but {m.audit_rows} audit entries written")
    if m.mode == "visit":
        if m.created != m.ok:
            problems.append(f"visits: {m.ok - m.created} answers were replays (200), not 201")
        if not m.created <= m.db_visits <= m.created + connections:
            problems.append(f"visits: {m.created} created answers but {m.db_visits} new rows")
        if not m.created <= m.audit_rows <= 2 * (m.created + connections):
            problems.append(f"visits: {m.created} visits but {m.audit_rows} audit entries "
                            "(expected one or two each)")
    if m.mode == "health" and m.audit_rows:
        problems.append(f"health wrote {m.audit_rows} audit entries")
    return problems


# --- report ----------------------------------------------------------------------------------

def print_table(result: DatabaseResult) -> bool:
    """The per-database table; returns whether every target was met."""
    base = result.measurements["health"].rps
    base_cpu = result.measurements["health"].total_cpu_ms
    print(f"\n{result.database}")
    header = (f"{'endpoint':<30} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'audit/req':>9} {'cpu ms/req':>10} {'cores':>5} {'cpu ratio':>9} {'ratio':>6} "
              f"{'target':>7}  result  by round")
    print(header)
    print("-" * len(header))
    all_met = True
    for mode, m in result.measurements.items():
        ratio = m.rps / base if base else 0.0
        target = TARGETS.get(mode)
        if target is None:
            verdict, target_text = "(yardstick)", "-"
        else:
            met = ratio >= target
            all_met = all_met and met
            verdict, target_text = ("PASS" if met else "FAIL"), f">={target:.2f}"
        audit = m.audit_rows / m.requests if m.requests else 0.0
        cpu_ratio = base_cpu / m.total_cpu_ms if m.total_cpu_ms else 0.0
        by_round = " ".join(f"{r:.3f}" for r in result.round_ratios(mode))
        print(f"{LABELS[mode]:<30} {m.rps:9.1f} {m.p50_ms:8.2f} {m.p95_ms:8.2f} "
              f"{audit:9.2f} {m.total_cpu_ms:10.2f} {m.rps * m.total_cpu_ms / 1000:5.2f} "
              f"{cpu_ratio:9.3f} {ratio:6.3f} "
              f"{target_text:>7}  {verdict:<11} {by_round if target else ''}")
    for problem in result.problems:
        print(f"  INVALID: {problem}")
    return all_met


def _as_json(result: DatabaseResult) -> dict[str, Any]:
    base = result.measurements["health"].rps
    return {
        "database": result.database,
        "seed_seconds": result.seed_seconds,
        "problems": result.problems,
        "endpoints": {
            mode: {"rps": round(m.rps, 1), "p50_ms": round(m.p50_ms, 2),
                   "p95_ms": round(m.p95_ms, 2), "p99_ms": round(m.p99_ms, 2),
                   "requests": m.requests,
                   "app_cpu_ms": round(m.per_request_ms(m.server_cpu - m.db_cpu), 3),
                   "db_cpu_ms": round(m.per_request_ms(m.db_cpu), 3),
                   "wrk_cpu_ms": round(m.per_request_ms(m.client_cpu), 3),
                   "total_cpu_ms": round(m.total_cpu_ms, 3),
                   "audit_per_request": round(m.audit_rows / m.requests, 2) if m.requests else None,
                   "ratio": round(m.rps / base, 3) if base else None,
                   "ratio_by_round": [round(r, 3) for r in result.round_ratios(mode)],
                   "target": TARGETS.get(mode)}
            for mode, m in result.measurements.items()
        },
    }


_LEGEND = """\
cpu ms/req: CPU of gunicorn, the database server and wrk per request. cores: how many CPUs
that kept busy (req/s x cpu ms/req). cpu ratio: /health's cpu ms/req over the endpoint's,
the ratio an otherwise idle, CPU-bound machine would show. If /health kept fewer cores busy
than the machine has, something else was using them; if an endpoint kept clearly fewer busy
than /health, its requests waited (on a lock) rather than computed."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--duration", type=float, default=12.0,
                        help="seconds per endpoint, over all rounds")
    parser.add_argument("--rounds", type=int, default=3,
                        help="turns the three endpoints take, one after another")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=60, help="visits per family")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < args.rounds or args.duration % args.rounds:
        parser.error("--duration must be a whole number (>= 1) of seconds per round: "
                     "wrk takes whole seconds")

    wrk = shutil.which("wrk")
    if wrk is None:
        print("bench: wrk is not installed. On Debian: apt-get install -y wrk (as root).",
              file=sys.stderr)
        return 2
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")

    print(f"Homelog API benchmark: gunicorn -w {args.workers} (sync), wrk -t {args.threads} "
          f"-c {args.connections}, {args.rounds} rounds of -d {args.duration / args.rounds:g}s "
          f"per endpoint (+{args.warmup:g}s warm-up) on "
          f"loopback; {os.cpu_count()} CPUs shared by server, database and wrk.")
    load = os.getloadavg()[0]
    if load >= (os.cpu_count() or 1):
        print(f"WARNING: load average is {load:.1f} before starting: something else is using "
              "the CPUs, and the figures (ratios included) will be distorted.")
    results: list[DatabaseResult] = []
    try:
        for name in databases:
            workdir = Path(tempfile.mkdtemp(prefix=f"homelog-bench-{name}-"))
            server = None
            db_pids: list[int] = []
            try:
                if name == "sqlite":
                    url = f"sqlite:///{workdir / 'homelog.sqlite3'}"
                else:
                    from tests.support.postgres import start_postgres

                    server = start_postgres()
                    url = server.create_database("homelog_bench")
                    pidfile = server.directory / "data" / "postmaster.pid"
                    db_pids = [int(pidfile.read_text().split()[0])]
                results.append(bench_database(name, url, workdir, wrk, args, db_pids))
            finally:
                if server is not None:
                    server.stop()
                shutil.rmtree(workdir, ignore_errors=True)
    except BenchError as error:
        print(f"\nBENCHMARK INVALID: {error}", file=sys.stderr)
        return 1

    print("\nThroughput as a ratio of the trivial endpoint's, same server, same run "
          f"(load average now {os.getloadavg()[0]:.1f}):")
    met = [print_table(result) for result in results]
    print()
    print(_LEGEND)
    invalid = any(result.problems for result in results)
    if args.json:
        args.json.write_text(json.dumps([_as_json(r) for r in results], indent=2))
    print()
    if invalid:
        print("RESULT: INVALID (see above): the requests did not all do their work.")
        return 1
    print("RESULT: all targets met." if all(met) else
          "RESULT: targets NOT met (reported only; exit code 0).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
