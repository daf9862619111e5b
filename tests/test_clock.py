"""The tests' pinned clock (tests/support/clock.py): a failure names the instant it ran at."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.clock import PINNED_ENV

EXAMPLE = Path(__file__).parent / "support" / "pinned_failure_example.py"


def test_a_failure_on_a_pinned_clock_names_the_instant(repo_root: Path) -> None:
    """Issue 12: a failure names the instant (and the machine's zone, kept as it is)."""
    env = {**os.environ, PINNED_ENV: "2028-02-29T10:00:00+00:00",
           "HOMELOG_TEST_DATABASES": "sqlite"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLE), "-p", "no:cacheprovider"],
        cwd=repo_root, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # one test, failed
    assert "this test saw 2028-02-29T10:00:0" in output, output  # it ran at the instant
    named = f"{PINNED_ENV}=2028-02-29T10:00:00+00:00 (machine time zone: "
    assert " clock " in output and output.count(named) == 2, output  # its section, and
    assert f"These failures happened on {named}" in output  # the run's last word
