"""The web server and the scheduler, started by systemd from deploy/systemd/ as installed.

`make prod-check` runs the two units as docs/deploy.md installs them: the unit files
unchanged, the checkout at /opt/homelog with a virtualenv made from Debian's Python (the
units' ProtectHome hides any Python under /root or /home), the settings in
/etc/homelog/homelog.env, the `homelog` system user and its folder /var/lib/homelog.

A machine that runs tests seldom boots with systemd, so systemd runs here as the first
process of new PID and mount namespaces, which it treats as a container. Everything it
would do at boot to the machine (emptying /tmp, loading modules, setting sysctls, adding
users, starting timers) is masked, and /run, /tmp, /opt/homelog, /etc/homelog and
/var/lib/homelog are mounted inside those namespaces only, so the machine itself is left
as it was apart from the `homelog` user and two empty mount points.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
import tomllib
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNITS = ("homelog-web.service", "homelog-scheduler.service")
TARGET = "homelog-check.target"
# What systemd would start at boot besides our units: masked, so nothing reaches the machine.
_BOOT_WANTS = ("sysinit", "local-fs", "network", "network-online", "basic", "sockets",
               "timers", "paths", "multi-user")
_ALSO_MASKED = ("systemd-tmpfiles-setup.service", "systemd-tmpfiles-setup-dev.service",
                "systemd-tmpfiles-setup-dev-early.service", "systemd-sysusers.service",
                "systemd-sysctl.service", "systemd-modules-load.service",
                "systemd-journald.service", "systemd-journald.socket",
                "systemd-journald-dev-log.socket", "systemd-udevd.service",
                "systemd-remount-fs.service", "systemd-firstboot.service",
                "systemd-random-seed.service", "systemd-update-utmp.service",
                "systemd-machine-id-commit.service", "ldconfig.service",
                "postgresql.service", "tmp.mount")


def _say(message: str) -> None:
    print(f"prod-check: {message}", flush=True)


def _masks() -> list[str]:
    names = set(_ALSO_MASKED)
    for target in _BOOT_WANTS:
        for root in (Path("/lib/systemd/system"), Path("/etc/systemd/system")):
            wants = root / f"{target}.target.wants"
            if wants.is_dir():
                names.update(entry.name for entry in wants.iterdir())
    return sorted(names)


def _settings_file(settings: dict[str, str]) -> str:
    lines = ["# Written by make prod-check for this run only."]
    lines += [f"{key}={value}" for key, value in sorted(settings.items())]
    return "\n".join(lines) + "\n"


def _dependencies() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    gunicorn = [spec for spec in project["optional-dependencies"]["test"]
                if spec.startswith("gunicorn")]
    return [*project["dependencies"], *gunicorn]


def _boot_script(work: Path) -> str:
    """What runs as root inside the new namespaces, then becomes systemd."""
    units = "/run/systemd/system"
    masks = " ".join(shlex.quote(name) for name in _masks())
    # From the checkout's new place: where the repository was may be hidden (under /tmp).
    copies = " ".join(f"/opt/homelog/deploy/systemd/{unit}" for unit in UNITS)
    packages = " ".join(shlex.quote(spec) for spec in _dependencies())
    return f"""set -eu
mount --make-rprivate /
mount --bind {shlex.quote(str(REPO))} /opt/homelog
mount -t tmpfs -o mode=0755 tmpfs /opt/homelog/.venv
mount --bind {shlex.quote(str(work / 'etc'))} /etc/homelog
mount --bind {shlex.quote(str(work / 'state'))} /var/lib/homelog
/usr/bin/python3.11 -m venv /opt/homelog/.venv
/opt/homelog/.venv/bin/pip install --quiet --disable-pip-version-check {packages}
# The checkout is the app, as `pip install -e .` would make it, without writing into it.
site="$(/opt/homelog/.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
echo /opt/homelog > "$site/homelog-checkout.pth"
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p {units}
for name in {masks}; do ln -sf /dev/null {units}/"$name"; done
cp {copies} {units}/
for unit in {' '.join(UNITS)}; do
  mkdir -p {units}/"$unit".d
  printf '[Service]\\nStandardOutput=append:/var/lib/homelog/%s.log\\nStandardError=inherit\\n' \\
    "${{unit%.service}}" > {units}/"$unit".d/log.conf
done
printf '[Unit]\\nDescription=Homelog, as installed\\nWants={' '.join(UNITS)}\\n' > {units}/{TARGET}
exec env container=homelog-check /lib/systemd/systemd --system --unit={TARGET} \\
  --log-target=console --show-status=no
"""


def _prepare_machine(work: Path, settings: dict[str, str]) -> None:
    if subprocess.run(["/usr/bin/python3.11", "-c", "import ensurepip"],
                      capture_output=True).returncode != 0:
        subprocess.run([str(REPO / "scripts" / "apt-install"), "python3.11-venv"], check=True)
    if subprocess.run(["id", "homelog"], capture_output=True).returncode != 0:
        subprocess.run(["adduser", "--system", "--group", "--home", "/var/lib/homelog",
                        "--no-create-home", "homelog"], check=True, capture_output=True)
    for mount_point in ("/opt/homelog", "/etc/homelog", "/var/lib/homelog"):
        Path(mount_point).mkdir(parents=True, exist_ok=True)
    (work / "etc").mkdir()
    (work / "state").mkdir()
    settings_file = work / "etc" / "homelog.env"
    settings_file.write_text(_settings_file(settings))
    subprocess.run(["chown", "-R", "root:homelog", str(work / "etc")], check=True)
    subprocess.run(["chmod", "750", str(work / "etc")], check=True)
    settings_file.chmod(0o640)
    subprocess.run(["chown", "-R", "homelog:homelog", str(work / "state")], check=True)
    (work / "state").chmod(0o750)


def _systemd_pid(boot: subprocess.Popen[bytes], timeout: float) -> int:
    """The PID, as this machine sees it, of systemd: the child `unshare --fork` made, once
    its set-up script has become systemd."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if boot.poll() is not None:
            raise RuntimeError(f"systemd did not start (exit {boot.returncode})")
        children = subprocess.run(["pgrep", "-P", str(boot.pid)], capture_output=True,
                                  text=True).stdout.split()
        for child in children:
            if Path(f"/proc/{child}/comm").read_text().strip() == "systemd":
                return int(child)
        time.sleep(0.5)
    raise RuntimeError("systemd did not start in time")


def _inside(pid: int, *command: str) -> subprocess.CompletedProcess[str]:
    """A command run in systemd's namespaces (its /run, its view of the processes)."""
    return subprocess.run(["nsenter", "--target", str(pid), "--mount", "--pid", "--",
                           *command], capture_output=True, text=True)


def start(stack: ExitStack, work: Path, settings: dict[str, str]) -> subprocess.Popen[bytes]:
    """Boots systemd with the two units; on the way out, stops them with systemctl (which
    must succeed within the units' own stop timeouts), then ends the namespaces."""
    _prepare_machine(work, settings)
    log = (work / "systemd.log").open("wb")
    stack.callback(log.close)
    boot = subprocess.Popen(["unshare", "--pid", "--fork", "--mount", "--uts", "--ipc",
                             "--mount-proc", "sh", "-c", _boot_script(work)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    _say(f"systemd starts {' and '.join(UNITS)} as installed (log: {work / 'systemd.log'})")

    def stop() -> None:
        try:
            pid = _systemd_pid(boot, timeout=5)
        except RuntimeError:
            boot.wait(timeout=30)
            return
        stopped = _inside(pid, "systemctl", "stop", *UNITS)
        states = _inside(pid, "systemctl", "is-active", *UNITS).stdout.split()
        os.kill(pid, signal.SIGKILL)  # ends every process left in its namespaces
        boot.wait(timeout=30)
        _say(f"systemctl stop: exit {stopped.returncode}, now {', '.join(states)}")
        if stopped.returncode != 0 or any(state != "inactive" for state in states):
            raise RuntimeError(f"the units did not stop cleanly: {stopped.stderr.strip()}")

    stack.callback(stop)
    return boot


def wait_for_systemd(boot: subprocess.Popen[bytes], work: Path) -> int:
    """Waits while the virtualenv is made and systemd boots (minutes, the first time); if
    it does not, shows the end of what the set-up and systemd said."""
    try:
        return _systemd_pid(boot, timeout=600)
    except RuntimeError:
        said = (work / "systemd.log").read_text(errors="replace").splitlines()
        print("\n".join(said[-40:]), flush=True)
        raise


def unit_states(pid: int) -> dict[str, str]:
    """Each unit's state and the user its main process runs as."""
    found: dict[str, str] = {}
    for unit in UNITS:
        shown = _inside(pid, "systemctl", "show", unit, "--property=ActiveState,MainPID")
        values = dict(line.split("=", 1) for line in shown.stdout.split())
        owner = _inside(pid, "ps", "-o", "user=", "-p", values.get("MainPID", "0"))
        found[unit] = f"{values.get('ActiveState')} as {owner.stdout.strip() or 'nobody'}"
    return found
