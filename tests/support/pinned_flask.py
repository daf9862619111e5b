"""`python -m tests.support.pinned_flask ...`: the flask command, on the run's pinned clock.

Tests that start the engine as a separate process run it through this, so that under a
pinned instant (tests/support/clock.py) the process tells the same time as the test.
"""

from __future__ import annotations

from flask.cli import main

from tests.support.clock import pinned_clock

if __name__ == "__main__":
    with pinned_clock():
        main()
