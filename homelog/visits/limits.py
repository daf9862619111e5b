"""The text limits of what a practitioner writes on a visit: the visit and its amendments,
events, photo captions and the reason for discarding a queued submission.

Each limit is defined here once: the schemas and the visit checks validate with it, and
`GET /api/v1/app-settings` tells the phone (so its forms stop where the server would refuse).
"""

from __future__ import annotations

from flask import current_app

CHILD_PRESENTATION_MAX = 2000
AMENDMENT_REASON_MIN = 3
AMENDMENT_REASON_MAX = 2000
EVENT_SUMMARY_MAX = 5000
EVENT_SOURCE_MAX = 200
PHOTO_CAPTION_MAX = 500
DISCARD_REASON_MIN = 3
DISCARD_REASON_MAX = 1000
# A hard ceiling so no absurd body is ever parsed further; the partnership's own, lower,
# notes limit (`notes_max`) is checked by the service with a clear message.
TEXT_CEILING = 100_000


def notes_max() -> int:
    """The longest a visit's notes may be: the partnership's setting (HOMELOG_NOTES_MAX_CHARS)."""
    return int(current_app.config["HOMELOG_NOTES_MAX_CHARS"])


def text_limits() -> dict[str, int]:
    """Every limit above, each named after its field, as the phone reads them."""
    return {
        "notes_max": notes_max(),
        "child_presentation_max": CHILD_PRESENTATION_MAX,
        "amendment_reason_max": AMENDMENT_REASON_MAX,
        "summary_max": EVENT_SUMMARY_MAX,
        "source_max": EVENT_SOURCE_MAX,
        "caption_max": PHOTO_CAPTION_MAX,
        "discard_reason_max": DISCARD_REASON_MAX,
    }
