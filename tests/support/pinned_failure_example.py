"""Fails on purpose: run by tests/test_clock.py on a pinned clock, to see what a failure says.

Not collected by the suite (its name does not start with test_); pytest runs it only when
given its path.
"""

from tests.support import clock


def test_reads_the_pinned_clock() -> None:
    now = clock.now().isoformat()
    assert now == "the real clock", f"this test saw {now}"
