"""What the phone needs to know of the server's rules to record a visit as the server will
accept it: the scoring scale with the partnership's concern level, the limits (how far
ahead of the server's clock a time may be, and every text limit) and the partnership's time
zone, in which people enter and read times. Read from the places that define them, never
copied, and carried in the offline kit so a phone with no signal has them too.
"""

from __future__ import annotations

from typing import Any

from homelog.core.time import CLOCK_TOLERANCE, local_zone
from homelog.rubric.concern_level import concern_level
from homelog.rubric.scale import scale_for_people
from homelog.visits.limits import text_limits


def app_settings() -> dict[str, Any]:
    """The scale, the limits and the time zone in force (see the module's docstring)."""
    return {
        "scale": scale_for_people(concern_level()),
        "limits": {"clock_skew_seconds": int(CLOCK_TOLERANCE.total_seconds()),
                   **text_limits()},
        "time_zone": local_zone().key,
    }
