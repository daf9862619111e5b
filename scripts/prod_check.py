"""`make prod-check`: the production profile, end to end, on this machine.

Starts PostgreSQL (the two roles of deploy/postgresql/roles.sql), an S3-compatible object
store, gunicorn with 4 workers (deploy/gunicorn.conf.py), the scheduler and nginx
(deploy/nginx/homelog.conf) with a certificate from a throwaway authority, all on loopback;
runs the migrations as the owner; then the browser tests through nginx over HTTPS. Stops
everything it started, whatever happens. Needs root on Debian (it installs nginx with apt);
anywhere else it says why it cannot run and exits 0 only when asked to skip quietly
(HOMELOG_PROD_CHECK_OPTIONAL=1, as CI sets).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402
import trustme  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

from scripts import under_systemd  # noqa: E402
from tests.support.object_store import CREDENTIALS, REGION, object_store_server  # noqa: E402
from tests.support.postgres import as_role, start_postgres  # noqa: E402

VENV = REPO / ".venv" / "bin"
OWNER, APP_ROLE, DATABASE = "homelog_owner", "homelog_app", "homelog"


def _cannot_run() -> str | None:
    if os.geteuid() != 0:
        return "it needs root (to install and start nginx)"
    if not shutil.which("apt-get"):
        return "it needs a Debian machine (nginx comes from apt)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _say(message: str) -> None:
    print(f"prod-check: {message}", flush=True)


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        subprocess.run([str(REPO / "scripts" / "apt-install"), "nginx"], check=True)
        found = "/usr/sbin/nginx"
    return found


def _database(stack: ExitStack, work: Path) -> dict[str, str]:
    """PostgreSQL with the owner and the app's role, made by deploy/postgresql/roles.sql."""
    server = start_postgres()
    stack.callback(server.stop)
    psql = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
                .stdout.strip() or "/usr/bin") / "psql"
    if not psql.exists():
        psql = Path(shutil.which("psql") or "psql")
    subprocess.run([*server.prefix, str(psql), "-h", "127.0.0.1", "-p", str(server.port),
                    "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-v", f"owner={OWNER}",
                    "-v", f"app={APP_ROLE}", "-v", f"db={DATABASE}",
                    "-f", str(REPO / "deploy" / "postgresql" / "roles.sql")],
                   check=True, capture_output=True, cwd=work)
    owner_url = f"postgresql+psycopg://{OWNER}@127.0.0.1:{server.port}/{DATABASE}"
    return {"owner": owner_url, "app": as_role(owner_url, APP_ROLE)}


def _certificate(work: Path) -> tuple[Path, Path, Path, str]:
    """A throwaway authority's certificate for localhost; returns the CA, the chain, the key
    and the base64 SHA-256 of the certificate's public key (what Chromium is told to trust)."""
    authority = trustme.CA()
    issued = authority.issue_cert("localhost", "127.0.0.1")
    ca, chain, key = work / "ca.pem", work / "chain.pem", work / "key.pem"
    authority.cert_pem.write_to_path(str(ca))
    issued.private_key_pem.write_to_path(str(key))
    chain.write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
    leaf = x509.load_pem_x509_certificate(issued.cert_chain_pems[0].bytes())
    spki = leaf.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return ca, chain, key, base64.b64encode(hashlib.sha256(spki).digest()).decode()


def _nginx_config(work: Path, ports: dict[str, int], chain: Path, key: Path) -> Path:
    site = (REPO / "deploy" / "nginx" / "homelog.conf").read_text()
    for name, value in {"SERVER_NAME": "localhost", "CERTIFICATE": str(chain),
                        "CERTIFICATE_KEY": str(key),
                        "APP_DIR": str(REPO / "homelog" / "web" / "dist"),
                        "UPSTREAM": f"127.0.0.1:{ports['app']}",
                        "HTTPS_PORT": str(ports["https"]),
                        "HTTP_PORT": str(ports["http"])}.items():
        site = site.replace(f"@{name}@", value)
    (work / "site.conf").write_text(site)
    temp = work / "nginx-temp"
    temp.mkdir()
    temp.chmod(0o777)
    main = work / "nginx.conf"
    main.write_text(f"""
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {work}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {work}/site.conf;
}}
""")
    return main


def _start(stack: ExitStack, name: str, command: list[str], env: dict[str, str],
           log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    stack.callback(handle.close)
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=handle,
                               stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
        _say(f"stopped {name}")

    stack.callback(stop)
    _say(f"started {name} (log: {log})")
    return process


def _wait_ready(url: str, ca: Path, processes: dict[str, subprocess.Popen[bytes]],
                timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped (exit {process.returncode})")
        try:
            answer = requests.get(f"{url}/api/v1/ready", verify=str(ca), timeout=5)
            if answer.status_code == 200:
                return
            last = f"{answer.status_code} {answer.text[:300]}"
        except requests.RequestException as error:
            last = type(error).__name__
        time.sleep(0.5)
    raise RuntimeError(f"the deployment did not become ready: {last}")


def _settings(urls: dict[str, str], store_url: str, bucket: str, work: Path,
              port: int) -> dict[str, str]:
    """The deployment's own settings (what /etc/homelog/homelog.env holds)."""
    return {
        **CREDENTIALS,
        "HOMELOG_ENV": "production",
        "HOMELOG_SECRET_KEY": base64.b64encode(os.urandom(36)).decode(),
        "HOMELOG_AUDIT_KEY": base64.b64encode(os.urandom(36)).decode(),
        "HOMELOG_DATABASE_URL": urls["app"],
        "HOMELOG_AUDIT_CHECKPOINTS": str(work / "audit-checkpoints.jsonl"),
        "HOMELOG_MEDIA_DIR": str(work / "media"),
        "HOMELOG_PHOTO_STORE": "s3", "HOMELOG_S3_BUCKET": bucket,
        "HOMELOG_S3_ENDPOINT_URL": store_url, "HOMELOG_S3_REGION": REGION,
        "HOMELOG_TRUSTED_PROXIES": "1",
        "HOMELOG_BIND": f"127.0.0.1:{port}", "HOMELOG_WORKERS": "4",
    }


def _installed(settings: dict[str, str]) -> dict[str, str]:
    """The settings as an installed service has them: its files under /var/lib/homelog."""
    return {**settings, "HOMELOG_MEDIA_DIR": "/var/lib/homelog/media",
            "HOMELOG_AUDIT_CHECKPOINTS": "/var/lib/homelog/audit-checkpoints.jsonl"}


def _start_directly(stack: ExitStack, env: dict[str, str], work: Path,
                    workers: int) -> dict[str, subprocess.Popen[bytes]]:
    env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics")}
    return {
        "gunicorn": _start(stack, f"gunicorn ({workers} workers)",
                           [str(VENV / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                            "wsgi:app"], env, work / "gunicorn.log"),
        "scheduler": _start(stack, "the scheduler",
                            [str(VENV / "flask"), "--app", "homelog", "scheduler"], env,
                            work / "scheduler.log"),
    }


@dataclass(frozen=True)
class Deployment:
    """The production profile, running: where to reach it and its settings."""

    base_url: str  # https, through nginx
    http_url: str  # plain HTTP, which redirects
    ca: Path  # the throwaway authority that signed its certificate
    spki: str  # base64 SHA-256 of the certificate's key (for Chromium)
    env: dict[str, str]  # its settings: the app's role, the object store, the keys
    owner_url: str  # the database as the owner of its tables


@contextmanager
def deployment(work: Path, *, workers: int = 4, as_installed: bool = True
               ) -> Iterator[Deployment]:
    """Bring the production profile up on loopback; bring it down afterwards. As installed,
    systemd starts the web server and the scheduler from deploy/systemd/ (scripts/
    under_systemd.py); otherwise they are started directly (the capacity benchmark)."""
    with ExitStack() as stack:
        nginx = _nginx()
        urls = _database(stack, work)
        store = stack.enter_context(object_store_server())
        bucket = store.new_bucket()
        ca, chain, key, spki = _certificate(work)
        ports = {"app": free_port(), "https": free_port(), "http": free_port()}
        settings = {**_settings(urls, store.endpoint_url, bucket, work, ports["app"]),
                    "HOMELOG_WORKERS": str(workers)}
        env = {**os.environ, **settings}
        migrate = {**env, "HOMELOG_DATABASE_URL": urls["owner"],
                   "HOMELOG_DATABASE_APP_ROLE": APP_ROLE}
        subprocess.run([str(VENV / "flask"), "--app", "homelog", "db", "upgrade"], env=migrate,
                       cwd=REPO, check=True)
        _say("migrated as the owner; the app connects as a role that owns nothing")
        if as_installed:
            boot = under_systemd.start(stack, work, _installed(settings))
            processes = {"systemd": boot}
            systemd = under_systemd.wait_for_systemd(boot, work)
        else:
            processes = _start_directly(stack, env, work, workers)
        processes["nginx"] = _start(stack, "nginx", [nginx, "-c", str(_nginx_config(
            work, ports, chain, key)), "-g", "daemon off;"], env, work / "nginx.log")
        base = f"https://localhost:{ports['https']}"
        _wait_ready(base, ca, processes)
        if as_installed:
            states = under_systemd.unit_states(systemd)
            _say("; ".join(f"{unit} {state}" for unit, state in states.items()))
            if any(state != "active as homelog" for state in states.values()):
                raise RuntimeError("the units are not running as installed")
        _say(f"ready at {base}")
        yield Deployment(base, f"http://localhost:{ports['http']}", ca, spki, env,
                         urls["owner"])


def run(work: Path) -> int:
    """Bring the deployment up, run the browser tests through it, bring it down."""
    with deployment(work) as running:
        _say("the browser tests run through nginx over HTTPS")
        tests = {**running.env, "HOMELOG_E2E_BASE_URL": running.base_url,
                 "HOMELOG_E2E_CA": str(running.ca), "HOMELOG_E2E_HTTP_URL": running.http_url,
                 "HOMELOG_E2E_TRUST_SPKI": running.spki,
                 # Playwright's own requests (page.request) come from Node, Python's from
                 # requests: both trust the throwaway authority, nothing else changes.
                 "NODE_EXTRA_CA_CERTS": str(running.ca),
                 "REQUESTS_CA_BUNDLE": str(running.ca)}
        result = subprocess.run([str(VENV / "pytest"), "-p", "no:cacheprovider",
                                 "tests/browser", *sys.argv[1:]], env=tests, cwd=REPO)
        return result.returncode


def main() -> int:
    why = _cannot_run()
    if why:
        _say(f"SKIPPED: {why}.")
        return 0 if os.environ.get("HOMELOG_PROD_CHECK_OPTIONAL") else 1
    work = Path(tempfile.mkdtemp(prefix="homelog-prod-check-"))
    work.chmod(0o755)  # nginx's workers (not root) read the site's files here
    try:
        return run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
